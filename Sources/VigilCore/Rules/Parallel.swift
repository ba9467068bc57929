import Dispatch
import Foundation
import Synchronization

/// Work split over the machine's cores when there is enough of it.
enum Parallel {
    /// The cores the process may use, read once (`activeProcessorCount` asks the kernel each
    /// time, and small pushes ask it several times each).
    static let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// `body(0..<count)` in order, computed in one chunk per core when `count` reaches `threshold`.
    static func map<T: Sendable>(_ count: Int, threshold: Int = 1000, _ body: @Sendable (Int) -> T) -> [T] {
        chunks(count, threshold: threshold) { range in range.map(body) }.flatMap { $0 }
    }

    /// `body` over consecutive ranges covering `0..<count`, one per core when `count` reaches
    /// `threshold`; the results in range order.
    static func chunks<T: Sendable>(_ count: Int, threshold: Int = 1000, _ body: @Sendable (Range<Int>) -> T) -> [T] {
        let chunks = count < threshold ? 1 : min(cores, 16)
        guard chunks > 1 else { return [body(0..<count)] }
        let size = (count + chunks - 1) / chunks
        let results = Mutex([T?](repeating: nil, count: chunks))
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let part = body(min(count, chunk * size)..<min(count, (chunk + 1) * size))
            results.withLock { $0[chunk] = part }
        }
        return results.withLock { $0.compactMap { $0 } }
    }
}
