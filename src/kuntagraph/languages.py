"""Languages of labels: fi, sv, en, and the fallback every view uses (the chosen language first, then
fi -> sv -> en, the order the sources are written in, then untagged)."""

LANGUAGES = ("fi", "sv", "en")
DEFAULT = "fi"


def best_label(labels: dict[str, str], lang: str = DEFAULT) -> str | None:
    """labels: {language tag ('' for none): text} -> the text to show in `lang`."""
    for candidate in (lang, *[x for x in LANGUAGES if x != lang], ""):
        if candidate in labels:
            return labels[candidate]
    return next(iter(labels.values()), None)
