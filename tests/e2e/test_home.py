"""Home in the real window (issue 23): the first screen after sign-in, its items leading to
where each thing is done, and the command line saying the same (`uniasset status`)."""

import json

from selenium.webdriver.common.by import By

from flows import add_user, organization, sign_in


def item(app, title):
    return app.wait_for(By.XPATH, f"//li[.//h3[normalize-space(.)='{title}']]")


def test_home_leads_to_the_people_who_cannot_sign_in(launch, data_dir):
    organization(data_dir)
    add_user(data_dir, "pat@northwind.example", "Pat Password", sign_in="password")
    add_user(data_dir, "sam@northwind.example", "Sam Unlinked", sign_in="microsoft")
    app = launch()
    sign_in(app)

    app.by_text("h1", "Home")
    cannot = item(app, "Cannot sign in")
    assert "1 person signs in with a password but has none yet." in app.text(cannot)
    assert "Needs you" in app.text(cannot)
    assert "1 person signs in with Microsoft but is not linked" in app.text(item(app, "Not linked to Entra"))
    app.by_text("h2", "Getting started")
    app.shot("home")

    # The window and the command line say the same.
    status = json.loads(app.cli("--json", "status").stdout)
    titles = [i["title"] for i in status["items"] if i["health"] == "attention"]
    assert "Cannot sign in" in titles and "Not linked to Entra" in titles, titles

    cannot.find_element(By.XPATH, ".//button[normalize-space(.)='Show them']").click()
    app.by_text("h1", "People")
    assert app.wait_for(By.ID, "user-gap").get_attribute("value") == "cannot_sign_in"
    row = app.by_text("*[@role='row']", "pat@northwind.example")
    assert "Cannot sign in" in app.text(row)
    app.wait_until(lambda: len(app.driver.find_elements(By.XPATH, "//*[@role='rowgroup']//*[@role='row']")) == 1,
                   what="only Pat listed")
    app.shot("people-cannot-sign-in")

    # The article's path is unchanged: Settings → Users is the same list.
    app.press(By.XPATH, "//nav[@aria-label='Main']//button[contains(., 'Settings')]")
    app.press(By.XPATH, "//button[@role='tab'][contains(., 'Users')]")
    app.by_text("*[@role='row']", "sam@northwind.example")
