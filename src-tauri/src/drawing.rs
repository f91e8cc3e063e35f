//! The window is drawn without OpenGL (issue 27). As GTK starts, GDK loads the GL driver to
//! choose the X visuals a GL window would need, and WebKit then composites the page with
//! it: Mesa and LLVM, 30 MiB in a tray app that may not open its window all day, and 80 MiB
//! more across the app and WebKit's processes while the window is open. UniAsset's screens
//! are forms and tables, which WebKit draws as quickly on the CPU (scripts/bench-window.py
//! measures both). Whoever sets GDK_GL themselves (even empty) keeps GTK's own choice.

/// Starts GTK with GL disabled, unless GDK_GL says otherwise. Before the app is built, on
/// the main thread, while no other thread reads the environment.
#[cfg(target_os = "linux")]
pub fn start_gtk_without_gl() {
    if std::env::var_os("GDK_GL").is_some() {
        return;
    }
    std::env::set_var("GDK_GL", "disable");
    // Tauri's own start of GTK later finds it started. Should this one fail (no display),
    // that one fails too and says why.
    let _ = gtk::init();
    // GTK read it as it started; the applications UniAsset opens (a document's viewer)
    // start with their own choice.
    std::env::remove_var("GDK_GL");
}

#[cfg(not(target_os = "linux"))]
pub fn start_gtk_without_gl() {}
