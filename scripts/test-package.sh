#!/usr/bin/env bash
# The package test: builds the Debian package with scripts/package.sh, installs it on this
# machine with apt-get, checks what it installed, then removes it. Needs root (or sudo).
# Run by scripts/test.sh; refuses to touch a machine where a vigil package is installed.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if dpkg-query -W -f='${Status}' vigil 2>/dev/null | grep -q "install ok installed"; then
    echo "package test: a vigil package is already installed here; not replacing it" >&2
    exit 1
fi

work=$(mktemp -d)
had_user=no; getent passwd vigil >/dev/null && had_user=yes
had_state=no; [ -e /var/lib/vigil ] && had_state=yes
had_etc=no; [ -e /etc/vigil ] && had_etc=yes
cleanup() {
    $SUDO dpkg --purge vigil >/dev/null 2>&1 || true
    [ "$had_user" = yes ] || $SUDO userdel vigil 2>/dev/null || true
    [ "$had_state" = yes ] || $SUDO rm -rf /var/lib/vigil
    [ "$had_etc" = yes ] || $SUDO rm -rf /etc/vigil
    rm -rf "$work"
}
trap cleanup EXIT

failures=0
checks=0
check() {  # check DESCRIPTION COMMAND...
    local what=$1; shift
    checks=$((checks + 1))
    if "$@" >"$work/out" 2>&1; then
        echo "  ok    $what"
    else
        echo "  FAIL  $what"; sed 's/^/        /' "$work/out"; failures=$((failures + 1))
    fi
}

# From the debug build the tests already made (relinked with the Swift runtime): a release
# build would add ten minutes to every test run; scripts/package.sh without --debug is
# the same script with -c release.
if ! scripts/package.sh --debug --output "$work/dist" >"$work/package.log"; then
    echo "package test: scripts/package.sh failed; its output ends:" >&2
    grep -v "distributed-tracing\|CMakeLists" "$work/package.log" | tail -40 >&2
    exit 1
fi
deb=$(tail -1 "$work/package.log")
echo "package test: $deb ($(du -h "$deb" | cut -f1))"
dpkg-deb --info "$deb" | sed -n 's/^ \(Depends\|Installed-Size\): /  \1: /p'
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$(readlink -f "$deb")" >"$work/apt.log" 2>&1 \
    || { cat "$work/apt.log" >&2; exit 1; }

commit=$(git rev-parse --short=12 HEAD)
check "vigil --version names the release and commit $commit" \
    sh -c "/usr/bin/vigil --version | grep -F '(commit $commit'"
check "depends on runtime libraries only (no -dev package, no Swift toolchain)" \
    sh -c "! dpkg-deb -f '$deb' Depends | grep -E -- '-dev|swift'"
check "the binary loads no Swift runtime library" sh -c "! ldd /usr/bin/vigil | grep -i swift"
check "vigil check passes on the installed example" \
    vigil check --config /usr/share/doc/vigil/config.example.json --state "$work/example-state"
check "vigil run works on the installed example" \
    vigil run --config /usr/share/doc/vigil/config.example.json --state "$work/example-state"
check "vigil init + check + run on a fresh configuration" \
    sh -c "vigil init '$work/fresh' && vigil check --config '$work/fresh/config.json' && vigil run --config '$work/fresh/config.json'"
check "vigil init /etc/vigil, then a run as the vigil user keeps its state in /var/lib/vigil" \
    sh -c "vigil init /etc/vigil >/dev/null && grep -q '\"state\": \"/var/lib/vigil\"' /etc/vigil/config.json \
        && runuser -u vigil -- vigil run --config /etc/vigil/config.json \
        && [ \"\$(stat -c '%U %a' /var/lib/vigil/vigil.sqlite)\" = 'vigil 600' ]"
check "the man page renders without warnings" \
    sh -c "zcat /usr/share/man/man1/vigil.1.gz | groff -man -Tutf8 -ww -z 2>&1 | (! grep .) && zcat /usr/share/man/man1/vigil.1.gz | grep -q 'state backup'"
check "bash, zsh and fish completions know the subcommands" \
    sh -c "grep -q test-output /usr/share/bash-completion/completions/vigil && grep -q test-output /usr/share/zsh/vendor-completions/_vigil && grep -q test-output /usr/share/fish/vendor_completions.d/vigil.fish"
check "a system user vigil, no login" sh -c "getent passwd vigil | grep -q ':/usr/sbin/nologin$'"
check "/var/lib/vigil is the vigil user's, mode 0700" sh -c "[ \"\$(stat -c '%U %a' /var/lib/vigil)\" = 'vigil 700' ]"
check "systemd-analyze verify accepts the units" \
    systemd-analyze verify /lib/systemd/system/vigil.service /lib/systemd/system/vigil-run.service \
        /lib/systemd/system/vigil-run.timer
check "the units are hardened" sh -c "grep -q '^ProtectSystem=strict' /lib/systemd/system/vigil.service && grep -q '^NoNewPrivileges=yes' /lib/systemd/system/vigil-run.service"

DEBIAN_FRONTEND=noninteractive $SUDO apt-get purge -y -qq vigil >"$work/apt.log" 2>&1 || { cat "$work/apt.log" >&2; exit 1; }
check "removed: no /usr/bin/vigil, no units" sh -c "[ ! -e /usr/bin/vigil ] && [ ! -e /lib/systemd/system/vigil.service ]"
check "purge keeps the state directory" test -d /var/lib/vigil

echo "package test: $((checks - failures)) of $checks checks passed"
[ "$failures" -eq 0 ]
