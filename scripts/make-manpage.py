#!/usr/bin/env python3
"""Writes vigil(1) in man(7) troff from the command's own description.

Usage: scripts/make-manpage.py PATH-TO-VIGIL > vigil.1

Reads `vigil --experimental-dump-help` (ArgumentParser's description of every command,
option and argument), so the page cannot drift from the program; adds the sections a
manual page has that the command line does not (files, environment, exit status).
"""
import datetime
import json
import subprocess
import sys


def escape(text):
    """Troff-safe text: backslashes, and lines that would start with a control character."""
    text = text.replace("\\", "\\e")
    # Non-ASCII characters as groff's Unicode escapes, so no input encoding is assumed.
    text = "".join(c if ord(c) < 128 else "\\[u%04X]" % ord(c) for c in text)
    lines = []
    for line in text.split("\n"):
        if line.startswith((".", "'")):
            line = "\\&" + line
        lines.append(line)
    return "\n".join(lines)


def option_synopsis(argument):
    names = argument.get("names") or []
    spelled = ", ".join(("--" if n["kind"] == "long" else "-") + n["name"] for n in names)
    if argument["kind"] == "positional":
        return "\\fI" + argument.get("valueName", "value").upper() + "\\fR"
    if argument["kind"] == "option":
        spelled += " \\fI" + argument.get("valueName", "value") + "\\fR"
    return "\\fB" + spelled.replace("-", "\\-") + "\\fR"


def visible(items):
    return [item for item in items or [] if item.get("shouldDisplay", True)]


def discussion(text):
    """A command's discussion: paragraphs, with "Examples:" blocks kept as written."""
    out = []
    for paragraph in text.strip().split("\n\n"):
        if paragraph.lstrip().startswith("Examples:") or paragraph.startswith("  "):
            out.append(".PP\n.nf\n" + escape(paragraph) + "\n.fi")
        else:
            out.append(".PP\n" + escape(" ".join(paragraph.split())))
    return "\n".join(out)


def command_section(command, path):
    out = []
    name = " ".join(path)
    out.append(".SS " + escape(name))
    arguments = visible(command.get("arguments"))
    synopsis = " ".join("[" + option_synopsis(a) + "]" if a.get("isOptional") else option_synopsis(a)
                        for a in arguments if a.get("preferredName", {}).get("name") not in ("help", "version"))
    out.append(".PP\n\\fB" + escape(name) + "\\fR " + synopsis)
    if command.get("abstract"):
        out.append(".PP\n" + escape(command["abstract"]))
    if command.get("discussion"):
        out.append(discussion(command["discussion"]))
    for argument in arguments:
        if argument.get("preferredName", {}).get("name") in ("help", "version"):
            continue
        text = argument.get("abstract", "")
        if "defaultValue" in argument:
            text += " (default: " + argument["defaultValue"] + ")"
        out.append(".TP\n" + option_synopsis(argument) + "\n" + escape(text))
    for sub in visible(command.get("subcommands")):
        if sub["commandName"] == "help":
            continue
        out.extend(command_section(sub, path + [sub["commandName"]]))
    return out


def main():
    binary = sys.argv[1]
    root = json.loads(subprocess.check_output([binary, "--experimental-dump-help"]))["command"]
    version = subprocess.check_output([binary, "--version"], text=True).strip()
    date = datetime.date.today().strftime("%B %Y")
    page = [
        '.TH VIGIL 1 "%s" "Vigil %s" "User Commands"' % (date, escape(version)),
        ".SH NAME",
        "vigil \\- " + escape(root["abstract"]),
        ".SH SYNOPSIS",
        ".B vigil",
        ".I command",
        "[\\fIoptions\\fR]",
        ".SH DESCRIPTION",
        discussion(root.get("discussion", "")),
        ".SH COMMANDS",
    ]
    for sub in visible(root.get("subcommands")):
        if sub["commandName"] != "help":
            page.extend(command_section(sub, ["vigil", sub["commandName"]]))
    page += [
        ".SH FILES",
        ".TP\n.I /etc/vigil/config.json\nThe configuration the packaged systemd units read (JSON; described by "
        "/usr/share/doc/vigil/config.schema.json).",
        ".TP\n.I /var/lib/vigil\nThe state directory of the packaged units: vigil.sqlite and its lock (mode 0700, "
        "user vigil). Back it up with \\fBvigil state backup\\fR.",
        ".TP\n.I /usr/share/doc/vigil/examples\nThe example configuration, lists and templates.",
        ".SH ENVIRONMENT",
        ".TP\n.B CREDENTIALS_DIRECTORY\nWhere \\fB${credential:NAME}\\fR secret references are read from; systemd "
        "sets it for a unit with \\fBLoadCredential=\\fR.",
        ".SH EXIT STATUS",
        "0 ok; 1 internal error; 2 a source failed (nothing applied from it); 3 a delivery failed (retried "
        "later or dead-lettered); 4 both; 64 usage error; 75 another run holds the lock; 78 invalid "
        "configuration.",
        ".SH SEE ALSO",
        "\\fBsystemd.service\\fR(5), \\fBsystemd.timer\\fR(5), \\fBcrontab\\fR(5)",
    ]
    sys.stdout.write("\n".join(page) + "\n")


main()
