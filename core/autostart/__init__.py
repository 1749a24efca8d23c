"""Starting Cairn with the desktop session: an XDG autostart entry (the app in the tray) or a systemd --user unit."""
