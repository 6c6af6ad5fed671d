"""The ``zielwerk`` command line: thin commands that call the capability packages.

Each capability registers its commands from its own module here, so the table of contents of the
CLI is this file. Messages for users are German.
"""

from __future__ import annotations

import typer

from . import (
    amtlich_cmds,
    data_cmds,
    demo,
    generate_cmd,
    german,
    kennzahlen_cmds,
    listen_cmds,
    pipeline_cmds,
    vergleich_cmd,
    web_cmds,
    ziele_cmds,
)
from .audit_cmd import register as register_audit

german.install()  # click's and typer's own messages in German

app = typer.Typer(
    name="zielwerk",
    help="Zielwerk – Zielsteuerung für Jobcenter (SGB II): Daten, Kennzahlen, Zielvereinbarung, Fallsteuerung.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)



@app.callback()
def _root() -> None:
    """Zielwerk – Zielsteuerung für Jobcenter (SGB II)."""


demo.register(app)  # zielwerk demo
data_cmds.register(app)  # zielwerk validate
pipeline_cmds.register(app)  # zielwerk einlesen, zielwerk status
generate_cmd.register(app)  # zielwerk generate
kennzahlen_cmds.register(app)  # zielwerk kennzahlen, zielwerk lzb
ziele_cmds.register(app)  # zielwerk ziele pruefen|bericht
listen_cmds.register(app)  # zielwerk liste
web_cmds.register(app)  # zielwerk serve, zielwerk benutzer
register_audit(app)  # zielwerk audit pruefen
amtlich_cmds.register(app)  # zielwerk amtlich einlesen|status
vergleich_cmd.register(app)  # zielwerk vergleich (issue 14)


def main() -> None:
    app()
