#!/usr/bin/env bash
# Builds Vigil for release with the Swift runtime linked in, and a Debian package of it:
#   scripts/package.sh [--output DIR] [--debug]      (default DIR: dist/)
# The package installs /usr/bin/vigil, vigil(1), bash/zsh/fish completions, the example
# configuration and templates under /usr/share/doc/vigil/, the systemd units, a system user
# `vigil` and /var/lib/vigil (0700). It depends on runtime libraries only.
set -euo pipefail
cd "$(dirname "$0")/.."

# --debug packages the ordinary debug build (.build/, relinked with the Swift runtime and the
# commit): the same package in a minute instead of a ten-minute release build; the test
# command uses it to check the packaging. Never ship it.
output=dist
configuration=release
while [ $# -gt 0 ]; do
    case "$1" in
        --output) output=$2; shift 2 ;;
        --debug) configuration=debug; shift ;;
        *) echo "usage: scripts/package.sh [--output DIR] [--debug]" >&2; exit 64 ;;
    esac
done

scripts/install-deps.sh
command -v dpkg-deb >/dev/null || { echo "dpkg-deb is missing (Debian's dpkg)" >&2; exit 1; }

version=$(sed -n 's/.*static let number = "\(.*\)"/\1/p' Sources/VigilCLI/VigilVersion.swift)
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
if [ "$commit" != unknown ] && ! git diff --quiet HEAD -- Sources Plugins Package.swift 2>/dev/null; then
    commit="$commit-modified"
fi
arch=$(dpkg --print-architecture)

# A release build has a scratch path of its own (the .build/ of tests and benchmarks is left
# as it is). The commit is linked in as an object file named after it: a new commit
# relinks, nothing is recompiled.
scratch=.build-package
[ "$configuration" = release ] || scratch=.build
mkdir -p "$scratch/commit"
commit_object="$scratch/commit/vigil-commit-$commit.o"
printf 'const char vigil_commit_text[] = "%s";\n' "$commit" | cc -x c -c -fPIC -o "$commit_object" -
echo "building vigil $version ($commit), $configuration, Swift runtime linked statically" >&2
link=(-Xlinker "$PWD/$commit_object")
if [ "$configuration" = debug ]; then
    # Compile in the ordinary (shared-runtime) mode first: SwiftPM does not recompile objects
    # when --static-swift-stdlib changes, and an object compiled in static mode names static
    # libraries that a later ordinary link cannot find. Then link statically; those objects do
    # not name the static FoundationXML's helper library (XMLParser, for XLSX), so name it.
    swift build --product vigil --scratch-path "$scratch"
    # Objects compiled for the shared runtime name some of the static runtime's libraries and
    # not others (which ones depends on what was compiled in which mode: FoundationXML's
    # helper, ICU), so name them all once more, after everything, in one group.
    link+=(-Xlinker --start-group)
    for lib in FoundationXML _CFXMLInterface FoundationInternationalization _FoundationICU FoundationEssentials \
        Foundation CoreFoundation _FoundationCShims _FoundationCollections swiftSwiftOnoneSupport \
        swift_Concurrency swift_StringProcessing swift_RegexParser swiftSynchronization swiftGlibc \
        swiftDispatch dispatch BlocksRuntime swiftCore; do
        link+=(-Xlinker "-l$lib")
    done
    link+=(-Xlinker --end-group)
fi
static_build() {
    swift build -c "$configuration" --product vigil --static-swift-stdlib --scratch-path "$scratch" "${link[@]}"
}
if [ "$configuration" = debug ]; then
    # Switching the shared build to static mode recompiles a few modules (HummingbirdCore,
    # Hummingbird) in that mode; should the link still fail, try once more and show the
    # first failure rather than hide it.
    attempt=$(mktemp)
    if ! static_build >"$attempt" 2>&1; then
        echo "package.sh: the static link failed once; its last lines:" >&2
        grep -v "distributed-tracing\|CMakeLists" "$attempt" | tail -25 >&2
        echo "package.sh: trying again" >&2
        static_build
    fi
    rm -f "$attempt"
else
    static_build
fi
binary="$(swift build -c "$configuration" --scratch-path "$scratch" --show-bin-path)/vigil"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$work/root"
install -d "$root/DEBIAN" "$root/usr/bin" "$root/usr/share/man/man1" "$root/lib/systemd/system" \
    "$root/usr/share/bash-completion/completions" "$root/usr/share/zsh/vendor-completions" \
    "$root/usr/share/fish/vendor_completions.d" "$root/usr/share/doc/vigil"

# The binary without its debug sections (symbols stay, so crash reports keep function names).
objcopy --strip-debug "$binary" "$root/usr/bin/vigil"
chmod 0755 "$root/usr/bin/vigil"

"$binary" --generate-completion-script bash >"$root/usr/share/bash-completion/completions/vigil"
"$binary" --generate-completion-script zsh >"$root/usr/share/zsh/vendor-completions/_vigil"
"$binary" --generate-completion-script fish >"$root/usr/share/fish/vendor_completions.d/vigil.fish"
python3 scripts/make-manpage.py "$binary" | gzip -9n >"$root/usr/share/man/man1/vigil.1.gz"

install -m 0644 packaging/systemd/vigil.service packaging/systemd/vigil-run.service \
    packaging/systemd/vigil-run.timer "$root/lib/systemd/system/"

# Documentation and the example, laid out so the example's relative paths resolve:
# vigil check --config /usr/share/doc/vigil/config.example.json
doc="$root/usr/share/doc/vigil"
install -m 0644 README.md CHANGELOG.md config.example.json docs/config.schema.json \
    docs/webhook-payload.schema.json "$doc/"
install -m 0644 docs/*.md "$doc/"
cp -r examples "$doc/examples"
rm -rf "$doc/examples/state" "$doc/examples/feed"
# The lists the example reads: the "before" snapshots, as scripts/demo.sh starts.
mkdir "$doc/examples/feed"
cp examples/snapshots/detainees-before.json "$doc/examples/feed/detainees.json"
cp examples/snapshots/detainees-before.csv "$doc/examples/feed/detainees.csv"
find "$doc" -type d -exec chmod 0755 {} + && find "$doc" -type f -exec chmod 0644 {} +
cat >"$doc/copyright" <<'COPYRIGHT'
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: vigil
Comment: Vigil and the Swift packages it links (Apache-2.0, MIT) are built into /usr/bin/vigil.
COPYRIGHT

# Depends: the Debian packages that hold the shared libraries the binary itself names
# (DT_NEEDED; what those load in turn is their packages' business).
needed=$(objdump -p "$root/usr/bin/vigil" | awk '$1 == "NEEDED" {print $2}')
depends=$(ldd "$root/usr/bin/vigil" | awk '/=> \// {print $1, $3}' | while read -r soname lib; do
    grep -qxF "$soname" <<<"$needed" || continue
    dpkg -S "$(readlink -f "$lib")" 2>/dev/null || dpkg -S "$lib" 2>/dev/null || echo "unknown-$soname:"
done | cut -d: -f1 | sort -u | paste -sd, | sed 's/,/, /g')
if [[ "$depends" == *unknown-* ]]; then echo "no Debian package holds: $depends" >&2; exit 1; fi
[ -n "$depends" ] || { echo "could not work out the package's dependencies" >&2; exit 1; }

install -m 0755 packaging/debian/postinst packaging/debian/prerm packaging/debian/postrm "$root/DEBIAN/"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@DEPENDS@/$depends/" -e "s/@SIZE@/$size/" \
    packaging/debian/control.in >"$root/DEBIAN/control"

mkdir -p "$output"
deb="$output/vigil_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
