#!/usr/bin/env bash
# Installs what Vigil needs to build and test on Debian, only when it is missing.
set -euo pipefail

missing=()
pkg-config --exists libcurl 2>/dev/null || missing+=(libcurl4-openssl-dev)
pkg-config --exists sqlite3 2>/dev/null || missing+=(libsqlite3-dev)
pkg-config --exists libxml-2.0 2>/dev/null || missing+=(libxml2-dev)
pkg-config --exists zlib 2>/dev/null || missing+=(zlib1g-dev)
# The command source's tests read a PDF through pdftotext.
if [ "${1:-}" = "--test" ]; then command -v pdftotext >/dev/null || missing+=(poppler-utils); fi
# The people matcher's transliteration oracle: ICU through PyICU, built by Debian.
if [ "${1:-}" = "--test" ]; then /usr/bin/python3 -c "import icu" 2>/dev/null || missing+=(python3-icu); fi
# The package test: systemd-analyze checks the units, groff renders the man page.
if [ "${1:-}" = "--test" ]; then command -v systemd-analyze >/dev/null || missing+=(systemd); fi
if [ "${1:-}" = "--test" ]; then command -v groff >/dev/null || missing+=(groff-base); fi
# The bounce mailbox tests: a real IMAP server.
if [ "${1:-}" = "--test" ]; then [ -x /usr/sbin/dovecot ] || missing+=(dovecot-imapd); fi
# The console's browser tests: a real headless Chromium and its WebDriver.
if [ "${1:-}" = "--test" ]; then command -v chromium >/dev/null || missing+=(chromium); fi
if [ "${1:-}" = "--test" ]; then command -v chromedriver >/dev/null || missing+=(chromium-driver); fi
command -v pkg-config >/dev/null || missing+=(pkg-config)
command -v python3 >/dev/null || missing+=(python3)
command -v openssl >/dev/null || missing+=(openssl)

if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}" >&2
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# PyPI packages for the test servers, when the tests need them.
pip_install() {
    python3 -m pip --version >/dev/null 2>&1 || {
        SUDO=""
        [ "$(id -u)" -eq 0 ] || SUDO="sudo"
        $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-pip >/dev/null
    }
    # Debian's own Python refuses system-wide installs (PEP 668) unless told otherwise.
    python3 -m pip install --quiet --disable-pip-version-check "$@" 2>/dev/null \
        || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages "$@"
}

if [ "${1:-}" = "--test" ]; then
    python3 -c "import aiosmtpd" 2>/dev/null || pip_install "aiosmtpd>=1.4"
    python3 -c "import synapse" 2>/dev/null || pip_install "matrix-synapse>=1.100"
    python3 -c "import standardwebhooks" 2>/dev/null || pip_install "standardwebhooks>=1.0"
    python3 -c "import celpy" 2>/dev/null || pip_install "cel-python>=0.2"
    python3 -c "import jsonschema" 2>/dev/null || pip_install "jsonschema>=4"
    python3 -c "import re2" 2>/dev/null || pip_install "google-re2>=1.1"
    # The CSS compiler's oracle (cssselect on lxml) and the XLSX fixtures' writer.
    python3 -c "import cssselect, lxml" 2>/dev/null || pip_install "cssselect>=1.2" "lxml>=5"
    python3 -c "import openpyxl" 2>/dev/null || pip_install "openpyxl>=3.1"
    # Independent Jaro-Winkler and transliteration for the people matcher's oracles.
    python3 -c "import jellyfish, unidecode" 2>/dev/null || pip_install "jellyfish>=1.0" "unidecode>=1.3"
    # Drives Chromium for the console's end-to-end tests (the driver comes from Debian).
    python3 -c "import selenium" 2>/dev/null || pip_install "selenium>=4.10"
fi
