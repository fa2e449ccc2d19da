"""Creates the local admin account once. Password: STUDIO_ADMIN_PASSWORD, else generated and printed."""

from __future__ import annotations

import os
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the local admin user if it does not exist."

    def handle(self, *args: Any, **options: Any) -> None:
        username = os.environ.get("STUDIO_ADMIN_USER", "admin")
        password = os.environ.get("STUDIO_ADMIN_PASSWORD")
        users = get_user_model().objects
        saved = settings.VAR_DIR / "admin-password"
        existing = users.filter(username=username).first()
        if existing is not None:
            if password:
                existing.set_password(password)
                existing.save(update_fields=["password"])
            self.stdout.write(f"admin user '{username}' exists" + (f" (password in {saved})" if saved.exists() and not password else ""))
            return
        generated = not password
        password = password or secrets.token_urlsafe(12)
        users.create_superuser(username=username, email="", password=password)
        if generated:
            saved.parent.mkdir(parents=True, exist_ok=True)
            saved.write_text(password + "\n")
            saved.chmod(0o600)
            self.stdout.write(self.style.SUCCESS(f"created admin user '{username}' with password: {password}  (saved in {saved})"))
        else:
            self.stdout.write(self.style.SUCCESS(f"created admin user '{username}' (password from STUDIO_ADMIN_PASSWORD)"))
