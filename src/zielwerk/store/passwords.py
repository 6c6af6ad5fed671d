"""Password rules (issue 12, point 7): length, not the user name, and an estimated strength.

The strength is zxcvbn's estimate (Dropbox's pattern matcher: dictionaries of common passwords, names
and words, keyboard patterns, repeats, sequences, dates, l33t substitutions); a password needs score 3
or better, i.e. an estimated 10^8 guesses or more. zxcvbn's dictionaries are English, so common German
password words and this application's own words are added as "user inputs" (they count as known
words), together with the user name and full name. Messages are German.
"""

from __future__ import annotations

from zxcvbn import zxcvbn

MIN_LENGTH = 10
#: longer passwords are allowed; zxcvbn evaluates the first 72 characters (its own limit)
MAX_LENGTH = 200
_ZXCVBN_MAX = 72
#: zxcvbn score 0–4; 3 = "safely unguessable" (≥ 10^8 guesses) against an online attack and a slow hash
MIN_SCORE = 3

#: German words common in passwords and this application's own vocabulary (all lower case)
GERMAN_WORDS = (
    "passwort", "kennwort", "geheim", "hallo", "willkommen", "sommer", "winter", "fruehling", "herbst",
    "schatz", "liebe", "fussball", "bayern", "schalke", "dortmund", "deutschland", "berlin", "hamburg",
    "muenchen", "koeln", "siegen", "wittgenstein", "jobcenter", "arbeit", "agentur", "zielwerk",
    "zielvereinbarung", "kennzahl", "verwaltung", "benutzer", "anmelden", "januar", "februar", "maerz",
    "april", "mai", "juni", "juli", "august", "september", "oktober", "november", "dezember", "montag",
    "freitag", "sonntag", "qwertz", "asdfgh", "yxcvbn", "fallmanagement", "controlling", "admin",
    "geschaeftsfuehrung", "traeger", "kommune", "sicher", "sicherheit", "start", "anfang",
)


class WeakPassword(ValueError):
    """The password does not meet the rules (German message)."""


def check(password: str, username: str = "", *, full_name: str = "") -> None:
    """Raise :class:`WeakPassword` with a German message unless ``password`` meets the rules."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"Das Passwort muss mindestens {MIN_LENGTH} Zeichen lang sein.")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"Das Passwort darf höchstens {MAX_LENGTH} Zeichen lang sein.")
    if not password.strip():
        raise WeakPassword("Das Passwort darf nicht nur aus Leerzeichen bestehen.")
    name = username.strip().casefold()
    if name and password.strip().casefold() == name:
        raise WeakPassword("Das Passwort darf nicht der Benutzername sein.")
    if len(set(password)) == 1:
        raise WeakPassword("Das Passwort darf nicht aus einem einzigen, wiederholten Zeichen bestehen.")
    inputs = [w for w in (username.strip(), *full_name.split(), *GERMAN_WORDS) if w]
    result = zxcvbn(password[:_ZXCVBN_MAX], user_inputs=inputs)
    if result["score"] < MIN_SCORE:
        raise WeakPassword(
            "Das Passwort ist zu leicht zu erraten" + _reason(result, name) + ". Bitte ein längeres Passwort "
            "wählen, z. B. mehrere nicht zusammengehörige Wörter mit Ziffern oder Sonderzeichen."
        )


def _reason(result: dict, name: str) -> str:
    """A short German reason from zxcvbn's matched patterns (the first weak pattern found)."""
    for match in result.get("sequence", []):
        pattern = match.get("pattern")
        token = str(match.get("token", "")).casefold()
        if pattern == "dictionary":
            if name and (token == name or match.get("matched_word") == name):
                return " (es enthält den Benutzernamen)"
            if match.get("dictionary_name") == "user_inputs":
                return " (es enthält ein häufiges Wort oder den Namen)"
            return " (es enthält ein häufig verwendetes Passwort oder Wort)"
        if pattern == "repeat":
            return " (es enthält Wiederholungen)"
        if pattern == "sequence":
            return " (es enthält eine Zeichenfolge wie „1234“ oder „abcd“)"
        if pattern == "spatial":
            return " (es enthält ein Tastaturmuster)"
        if pattern in ("date", "regex"):
            return " (es enthält ein Datum oder eine Jahreszahl)"
    return ""
