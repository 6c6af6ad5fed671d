"""German texts for the messages click and typer produce themselves (usage, help, errors).

click and typer look their texts up through ``gettext`` at module level (``from gettext import gettext
as _``); no German catalogue ships with them. :func:`install` replaces that lookup in their modules with a
dictionary translator and sets typer's rich panel titles, once, when the CLI app is created. A text not
listed here stays as it is.
"""

from __future__ import annotations

import functools
import importlib
import re

TEXTS: dict[str, str] = {
    # usage, help
    "Usage:": "Aufruf:",
    "Options": "Optionen",
    "Commands": "Befehle",
    "Positional arguments": "Argumente",
    "Show this message and exit.": "Diese Hilfe anzeigen und beenden.",
    "Show the version and exit.": "Version anzeigen und beenden.",
    "%(prog)s, version %(version)s": "%(prog)s, Version %(version)s",
    "default: {default}": "Standard: {default}",
    "env var: {var}": "Umgebungsvariable: {var}",
    "required": "Pflicht",
    "deprecated": "veraltet",
    "(dynamic)": "(dynamisch)",
    "Try '{command} {option}' for help.": "Hilfe: '{command} {option}'.",
    # errors
    "Error: {message}": "Fehler: {message}",
    "Aborted!": "Abgebrochen.",
    "Missing argument": "Fehlendes Argument",
    "Missing option": "Fehlende Option",
    "Missing parameter": "Fehlender Parameter",
    "Missing parameter: {param_name}": "Fehlender Parameter: {param_name}",
    "Missing {param_type}": "Fehlend: {param_type}",
    "Missing command.": "Befehl fehlt.",
    "No such command {name!r}.": "Unbekannter Befehl {name!r}.",
    "No such option {name!r}.": "Unbekannte Option {name!r}.",
    "No such option: {name}": "Unbekannte Option: {name}",
    "Option {name!r} does not take a value.": "Die Option {name!r} nimmt keinen Wert an.",
    "Invalid value: {message}": "Ungültiger Wert: {message}",
    "Invalid value for {param_hint}: {message}": "Ungültiger Wert für {param_hint}: {message}",
    "Argument {name!r} takes {nargs} values.": "Das Argument {name!r} nimmt {nargs} Werte.",
    "Value must be an iterable.": "Der Wert muss eine Folge sein.",
    "Invalid start character for option ({option})": "Ungültiges erstes Zeichen der Option ({option})",
    "{value!r} is not a valid {number_type}.": "{value!r} ist keine gültige Zahl ({number_type}).",
    "{value} is not in the range {range}.": "{value} liegt nicht im Bereich {range}.",
    "{value!r} is not a valid UUID.": "{value!r} ist keine gültige UUID.",
    "{name} {filename!r} does not exist.": "{name} {filename!r} existiert nicht.",
    "{name} {filename!r} is a file.": "{name} {filename!r} ist eine Datei.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} ist ein Ordner.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} ist nicht lesbar.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} ist nicht beschreibbar.",
    "{name} {filename!r} is not executable.": "{name} {filename!r} ist nicht ausführbar.",
    "Could not open file {filename!r}: {message}": "Datei {filename!r} lässt sich nicht öffnen: {message}",
    "file": "Datei",
    "directory": "Ordner",
    "path": "Pfad",
    "unknown error": "unbekannter Fehler",
    "Choose from:\n\t{choices}": "Zur Auswahl:\n\t{choices}",
    # prompts
    "Error: The two entered values do not match.": "Fehler: die beiden Eingaben stimmen nicht überein.",
    "Error: invalid input": "Fehler: ungültige Eingabe",
    "Repeat for confirmation": "Zur Bestätigung wiederholen",
    "Do you want to continue?": "Fortfahren?",
    "Confirm the action without prompting.": "Ohne Rückfrage bestätigen.",
    "Press any key to continue...": "Weiter mit einer beliebigen Taste …",
}

PLURALS: dict[tuple[str, str], tuple[str, str]] = {
    ("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"):
        ("Unerwartetes zusätzliches Argument ({args})", "Unerwartete zusätzliche Argumente ({args})"),
    ("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"):
        ("Meinten Sie {possibility}?", "(Meinten Sie eines von: {possibilities}?)"),
    ("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."):
        ("Die Option {name!r} braucht einen Wert.", "Die Option {name!r} braucht {nargs} Werte."),
    ("Takes {nargs} values but 1 was given.", "Takes {nargs} values but {len} were given."):
        ("Nimmt {nargs} Werte, aber 1 wurde angegeben.", "Nimmt {nargs} Werte, aber {len} wurden angegeben."),
    ("{value!r} is not {choice}.", "{value!r} is not one of {choices}."):
        ("{value!r} ist nicht {choice}.", "{value!r} ist keiner der Werte {choices}."),
    ("{value!r} does not match the format {format}.", "{value!r} does not match the formats {formats}."):
        ("{value!r} entspricht nicht dem Format {format}.", "{value!r} entspricht keinem der Formate {formats}."),
}

# typer's rich output (help panels, error box), set as module constants in typer.rich_utils
RICH_TEXTS: dict[str, str] = {
    "DEPRECATED_STRING": "(veraltet) ",
    "DEFAULT_STRING": "[Standard: {}]",
    "ENVVAR_STRING": "[Umgebungsvariable: {}]",
    "REQUIRED_LONG_STRING": "[Pflicht]",
    "ARGUMENTS_PANEL_TITLE": "Argumente",
    "OPTIONS_PANEL_TITLE": "Optionen",
    "COMMANDS_PANEL_TITLE": "Befehle",
    "ERRORS_PANEL_TITLE": "Fehler",
    "ABORTED_TEXT": "Abgebrochen.",
    "RICH_HELP": "Hilfe: [blue]'{command_path} {help_option}'[/]",
}

_MODULES = ("click.core", "click.exceptions", "click.parser", "click.decorators", "click.types",
            "click.formatting", "click.termui", "click.utils", "typer.core", "typer.main", "typer.rich_utils")


# typer >= 0.2x ships its own copy of click (typer._click) whose texts are plain English f-strings: its
# error messages are translated by pattern, its usage prefix and help-option text replaced
MESSAGE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), r) for p, r in (
    (r"^Missing option", "Fehlende Option"),
    (r"^Missing argument", "Fehlendes Argument"),
    (r"^Missing parameter", "Fehlender Parameter"),
    (r"^No such option:", "Unbekannte Option:"),
    (r"^No such option", "Unbekannte Option"),
    (r"\(Possible options: ", "(Mögliche Optionen: "),
    (r"^No such command", "Unbekannter Befehl"),
    (r"^Invalid value for ", "Ungültiger Wert für "),
    (r"^Invalid value: ", "Ungültiger Wert: "),
    (r"Got unexpected extra arguments", "Unerwartete zusätzliche Argumente"),
    (r"Got unexpected extra argument", "Unerwartetes zusätzliches Argument"),
    (r"^Option (\S+) does not take a value\.", r"Die Option \1 nimmt keinen Wert an."),
    (r"^Option (\S+) requires an argument\.", r"Die Option \1 braucht einen Wert."),
    (r"^Option (\S+) requires (\d+) arguments\.", r"Die Option \1 braucht \2 Werte."),
    (r"Did you mean one of:", "Meinten Sie eines von:"),
    (r"Did you mean", "Meinten Sie"),
    (r"Input should be a valid integer, unable to parse string as an integer", "keine ganze Zahl"),
    (r"Input should be a valid number, unable to parse string as a number", "keine Zahl"),
    (r"Input should be a valid integer", "keine ganze Zahl"),
    (r"Input should be a valid number", "keine Zahl"),
    (r"Input should be a valid boolean", "kein Wahrheitswert"),
    (r"(\S+) is not one of ", r"\1 ist keiner der Werte "),
    (r" does not exist\.", " existiert nicht."),
    (r" is a directory\.", " ist ein Ordner."),
    (r" is a file\.", " ist eine Datei."),
    (r"^Could not open file ", "Datei lässt sich nicht öffnen: "),
))
HELP_OPTION_TEXT = "Diese Hilfe anzeigen und beenden."
USAGE_PREFIX = "Aufruf: "
USAGE_PLACEHOLDERS = (("[OPTIONS]", "[OPTIONEN]"), ("COMMAND", "BEFEHL"), ("[ARGS]", "[ARGUMENTE]"))


def translate_message(text: str) -> str:
    for pattern, german in MESSAGE_PATTERNS:
        text = pattern.sub(german, text)
    return text


def gettext(message: str) -> str:
    return TEXTS.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    german = PLURALS.get((singular, plural))
    if german is None:
        return singular if n == 1 else plural
    return german[0] if n == 1 else german[1]


def install() -> None:
    """Route click's and typer's message lookups through the German texts (idempotent)."""
    for name in _MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:  # e.g. rich not installed: typer has no rich_utils then
            continue
        if hasattr(module, "_"):
            module._ = gettext
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext
        if name == "typer.rich_utils":
            highlights = getattr(getattr(module, "OptionHighlighter", None), "highlights", None)
            if isinstance(highlights, list) and r"(?P<usage>Aufruf: )" not in highlights:
                highlights.append(r"(?P<usage>Aufruf: )")
            for const, text in RICH_TEXTS.items():
                if hasattr(module, const):
                    setattr(module, const, text)
    _install_vendored_click()


def _install_vendored_click() -> None:
    try:
        from typer._click import decorators, exceptions, formatting
    except ImportError:  # an older typer on the real click: the gettext route above covers it
        return
    if getattr(exceptions, "_zielwerk_german", False):
        return
    exceptions._zielwerk_german = True
    for cls in vars(exceptions).values():
        if isinstance(cls, type) and issubclass(cls, Exception) and "format_message" in vars(cls):
            cls.format_message = _translated(cls.format_message)

    original_help_option = decorators.help_option

    @functools.wraps(original_help_option)
    def help_option(*args, **kwargs):
        decorate = original_help_option(*args, **kwargs)

        def apply(command):
            result = decorate(command)
            params = getattr(command, "params", None) or getattr(command, "__click_params__", None)
            if params:
                params[-1].help = HELP_OPTION_TEXT
            return result

        return apply

    decorators.help_option = help_option

    original_write_usage = formatting.HelpFormatter.write_usage

    @functools.wraps(original_write_usage)
    def write_usage(self, prog, args="", prefix=None):
        for english, german in USAGE_PLACEHOLDERS:
            args = args.replace(english, german)
        return original_write_usage(self, prog, args, USAGE_PREFIX if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = write_usage


def _translated(format_message):
    @functools.wraps(format_message)
    def wrapper(self):
        return translate_message(format_message(self))

    return wrapper
