import Foundation

/// The target this process fuzzes, from `VIGIL_FUZZ_TARGET`.
let fuzzTarget: @Sendable ([UInt8]) -> Void = {
    let name = ProcessInfo.processInfo.environment["VIGIL_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTargets.all[name] else {
        fatalError("set VIGIL_FUZZ_TARGET to one of: \(FuzzTargets.all.keys.sorted().joined(separator: ", "))")
    }
    return target
}()

/// libFuzzer's entry point (built with `-sanitize=fuzzer`, see scripts/fuzz.sh).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    fuzzTarget(Array(UnsafeRawBufferPointer(start: start, count: count)))
    return 0
}

#if VIGIL_LIBFUZZER
    /// libFuzzer's driver, linked in by `-sanitize=fuzzer` (SwiftPM names our `main`, so
    /// libFuzzer's own is not used; this hands control to its driver instead).
    @_silgen_name("LLVMFuzzerRunDriver")
    func LLVMFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<Int32>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
        _ callback: @convention(c) (UnsafeRawPointer, Int) -> CInt
    ) -> CInt

    @main
    struct FuzzWithLibFuzzer {
        static func main() {
            var argc = CommandLine.argc
            var argv = CommandLine.unsafeArgv
            exit(LLVMFuzzerRunDriver(&argc, &argv) { start, count in fuzzOneInput(start, count) })
        }
    }
#else
    /// Without libFuzzer: runs the given corpus files or directories through a target once
    /// each (`vigil-fuzz TARGET PATH…`), as the test suite does with the seed corpora.
    @main
    struct ReplayCorpus {
        static func main() {
            let arguments = CommandLine.arguments.dropFirst()
            guard let name = arguments.first, let target = FuzzTargets.all[name] else {
                FileHandle.standardError.write(
                    Data("usage: vigil-fuzz \(FuzzTargets.all.keys.sorted().joined(separator: "|")) PATH…\n".utf8))
                exit(64)
            }
            var count = 0
            for path in arguments.dropFirst() {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
                let files =
                    isDirectory.boolValue
                    ? ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted().map {
                        path + "/" + $0
                    }
                    : [path]
                for file in files {
                    guard let data = FileManager.default.contents(atPath: file) else { continue }
                    target(Array(data))
                    count += 1
                }
            }
            print("\(name): \(count) inputs replayed without a crash")
        }
    }
#endif
