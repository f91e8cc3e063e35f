"""One UniAsset per desktop session (R-T5): a second launch hands over to the running one and
ends; a launch just as the running one quits (it holds the name, then leaves without
answering) starts over and opens, instead of dying."""

import subprocess
import threading

from jeepney import HeaderFields, MessageType
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection

from conftest import APP, WAIT_SECONDS, wait_until

# tauri-plugin-single-instance's name on the session bus: the app's identifier.
NAME = "app.uniasset.desktop.SingleInstance"
PRIMARY_OWNER, DO_NOT_QUEUE = 1, 4


def test_a_second_launch_hands_over_and_ends(launch, data_dir, session_env):
    app = launch()
    app.by_text("button", "Create organization")
    second = subprocess.run([str(APP), "--data-dir", str(data_dir)], env=session_env,
                            capture_output=True, text=True, timeout=WAIT_SECONDS)
    assert second.returncode == 0, second.stderr
    app.wait_until(lambda: "a second launch handed over" in app.log(), what="the running app to show its window")
    # The running app is unharmed and still answers.
    app.by_text("button", "Create organization")


class QuittingInstance(threading.Thread):
    """Holds the app's name on the bus and, called by a new launch, leaves without answering,
    as an instance in the middle of quitting does."""

    def __init__(self, bus_address: str):
        super().__init__(daemon=True)
        self.conn = open_dbus_connection(bus=bus_address)
        (owned,) = self.conn.send_and_get_reply(message_bus.RequestName(NAME, DO_NOT_QUEUE)).body
        assert owned == PRIMARY_OWNER
        self.called_with = None

    def run(self):
        try:
            while True:
                msg = self.conn.receive(timeout=WAIT_SECONDS)
                if (msg.header.message_type == MessageType.method_call
                        and msg.header.fields.get(HeaderFields.member) == "ExecuteCallback"):
                    self.called_with = msg.body[0]
                    return
        finally:
            self.conn.close()


def test_a_launch_as_the_running_one_quits_still_opens(launch, data_dir, session_env):
    quitting = QuittingInstance(session_env["DBUS_SESSION_BUS_ADDRESS"])
    quitting.start()
    app = launch()
    app.by_text("button", "Create organization")
    quitting.join(WAIT_SECONDS)
    assert quitting.called_with and str(data_dir) in quitting.called_with, "the launch tried to hand over first"
    log = app.shots / "driver.log"
    wait_until(lambda: "UniAsset is starting again" in log.read_text(errors="replace"), "the launch to say it starts again")
