"""python manage.py db_grants --owner pilkada_owner --app pilkada [--import-shortcut] [--print]

Give the owner role and the application's role what each needs on PostgreSQL (audit/grants.py,
deploy/README.md): run as a superuser the first time, then as the owner after each migrate.
--print writes the statements instead of running them (for a DBA to read first)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from audit.grants import grants_apply, grants_sql


class Command(BaseCommand):
    help = "Atur hak peran pemilik dan peran aplikasi di PostgreSQL (jejak audit tak tersentuh)."

    def add_arguments(self, parser):
        parser.add_argument("--owner", required=True, help="peran pemilik tabel (migrasi)")
        parser.add_argument("--app", required=True, help="peran yang dipakai web dan worker")
        parser.add_argument(
            "--import-shortcut",
            action="store_true",
            help="izinkan aplikasi mengatur session_replication_role (impor massal lebih cepat)",
        )
        parser.add_argument("--print", action="store_true", help="cetak perintahnya saja")

    def handle(self, *args, owner: str, app: str, import_shortcut: bool, **opts):
        if connection.vendor != "postgresql":
            raise CommandError("db_grants hanya untuk PostgreSQL.")
        try:
            make = grants_sql if opts["print"] else grants_apply
            statements = make(owner=owner, app=app, import_shortcut=import_shortcut)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if opts["print"]:
            self.stdout.write(";\n".join(statements) + ";")
        else:
            self.stdout.write(f"{len(statements)} perintah dijalankan untuk {owner} dan {app}.")
