"""How the shared folder is served and guarded: Samba, permissions, audit."""
