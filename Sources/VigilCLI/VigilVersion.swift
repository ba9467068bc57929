import CVigilBuild

/// Which Vigil this is, as `vigil --version` prints it.
public enum VigilVersion {
    /// The release number; CHANGELOG.md names what each one changed.
    public static let number = "0.1.0"

    /// The commit the binary was built from; empty for a development build (`swift build`),
    /// set by `scripts/package.sh`.
    public static var commit: String { String(cString: vigil_build_commit()) }

    /// `0.1.0 (commit 892d976a1b2c)` or `0.1.0 (development build)`.
    public static var description: String {
        commit.isEmpty ? "\(number) (development build)" : "\(number) (commit \(commit))"
    }
}
