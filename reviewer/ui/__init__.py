"""The Qt widgets: main window, list model, detail pane, dialogs."""
