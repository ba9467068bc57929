/// A regular expression in RE2 syntax, matched in time linear in the text (a Pike VM: every
/// possible path advances one scalar at a time, side by side), so no pattern and no text can
/// make a rule cost more than `O(pattern × text)`. This is the semantics CEL's `matches`
/// specifies; a backtracking engine spends seconds on `(a+)+$` against thirty letters.
///
/// `matches` is a search: true when the pattern matches anywhere in the text, as CEL's
/// `matches` (RE2's partial match).
public struct LinearRegex: Sendable {
    enum Instruction: Sendable {
        case scalar(Unicode.Scalar)
        case foldedScalar([Unicode.Scalar])
        case set(ScalarSet)
        case any(matchesNewline: Bool)
        case assertion(RE2Assertion)
        case split(Int, Int)
        case jump(Int)
        case match
    }

    /// Compiled programs longer than this are refused (`x{1000}{1000}` would be a million).
    static let maxInstructions = 20_000

    let program: [Instruction]

    public init(_ pattern: String) throws(RE2SyntaxError) {
        let tree = try RE2Parser.parse(pattern)
        var compiler = Compiler()
        try compiler.emit(tree)
        compiler.program.append(.match)
        program = compiler.program
    }

    private struct Compiler {
        var program: [Instruction] = []

        mutating func append(_ instruction: Instruction) throws(RE2SyntaxError) {
            guard program.count < LinearRegex.maxInstructions else {
                throw RE2SyntaxError(
                    message: "pattern too large (more than \(LinearRegex.maxInstructions) steps)", position: 1)
            }
            program.append(instruction)
        }

        mutating func emit(_ node: RE2Node) throws(RE2SyntaxError) {
            switch node {
            case .empty: break
            case .scalar(let scalar, let caseInsensitive):
                if caseInsensitive {
                    try append(.foldedScalar(ScalarSet.caseVariants(of: scalar)))
                } else {
                    try append(.scalar(scalar))
                }
            case .set(let set): try append(.set(set))
            case .any(let matchesNewline): try append(.any(matchesNewline: matchesNewline))
            case .assertion(let assertion): try append(.assertion(assertion))
            case .concatenation(let items):
                for item in items { try emit(item) }
            case .alternation(let branches):
                // split L1, next; L1: branch; jump end; next: split …
                var jumps: [Int] = []
                for (index, branch) in branches.enumerated() {
                    if index < branches.count - 1 {
                        let split = program.count
                        try append(.split(split + 1, -1))
                        try emit(branch)
                        jumps.append(program.count)
                        try append(.jump(-1))
                        program[split] = .split(split + 1, program.count)
                    } else {
                        try emit(branch)
                    }
                }
                for jump in jumps { program[jump] = .jump(program.count) }
            case .repetition(let inner, let min, let max):
                for _ in 0..<min { try emit(inner) }
                if let max {
                    // Each optional copy: split into it or past all of them.
                    var splits: [Int] = []
                    for _ in min..<max {
                        splits.append(program.count)
                        try append(.split(program.count + 1, -1))
                        try emit(inner)
                    }
                    for split in splits { program[split] = .split(split + 1, program.count) }
                } else {
                    // L: split body, end; body; jump L
                    let split = program.count
                    try append(.split(split + 1, -1))
                    try emit(inner)
                    try append(.jump(split))
                    program[split] = .split(split + 1, program.count)
                }
            }
        }
    }

    /// Whether the pattern matches anywhere in `text`.
    public func matches(_ text: String) -> Bool {
        let scalars = Array(text.unicodeScalars)
        var current = ThreadList(capacity: program.count)
        var next = ThreadList(capacity: program.count)
        var stack: [Int] = []
        for position in 0...scalars.count {
            // A new thread starts at every position: an unanchored search.
            if add(0, at: position, in: scalars, to: &current, stack: &stack) { return true }
            guard position < scalars.count else { break }
            let scalar = scalars[position]
            next.clear()
            for pc in current.items {
                let advances: Bool
                switch program[pc] {
                case .scalar(let expected): advances = scalar == expected
                case .foldedScalar(let variants): advances = variants.contains(scalar)
                case .set(let set): advances = set.contains(scalar)
                case .any(let matchesNewline): advances = matchesNewline || scalar != "\n"
                default: advances = false
                }
                if advances, add(pc + 1, at: position + 1, in: scalars, to: &next, stack: &stack) { return true }
            }
            swap(&current, &next)
        }
        return false
    }

    /// Adds the thread at `pc` and everything reachable from it without reading a scalar;
    /// true when one of them is the match.
    private func add(
        _ start: Int, at position: Int, in scalars: [Unicode.Scalar], to list: inout ThreadList, stack: inout [Int]
    ) -> Bool {
        stack.removeAll(keepingCapacity: true)
        stack.append(start)
        while let pc = stack.popLast() {
            guard list.insert(pc) else { continue }
            switch program[pc] {
            case .match: return true
            case .jump(let target): stack.append(target)
            case .split(let first, let second):
                stack.append(second)
                stack.append(first)
            case .assertion(let assertion):
                if holds(assertion, at: position, in: scalars) { stack.append(pc + 1) }
            default: break
            }
        }
        return false
    }

    private func holds(_ assertion: RE2Assertion, at position: Int, in scalars: [Unicode.Scalar]) -> Bool {
        let before = position > 0 ? scalars[position - 1] : nil
        let after = position < scalars.count ? scalars[position] : nil
        func isWord(_ scalar: Unicode.Scalar?) -> Bool { scalar.map(ScalarSet.word.contains) ?? false }
        switch assertion {
        case .beginText: return position == 0
        case .endText: return position == scalars.count
        case .beginLine: return position == 0 || before == "\n"
        case .endLine: return position == scalars.count || after == "\n"
        case .wordBoundary: return isWord(before) != isWord(after)
        case .notWordBoundary: return isWord(before) == isWord(after)
        }
    }

    /// A sparse set of program counters: insertion and clearing in constant time.
    private struct ThreadList {
        var items: [Int] = []
        private var slot: [Int]

        init(capacity: Int) {
            slot = Array(repeating: -1, count: capacity)
            items.reserveCapacity(capacity)
        }

        /// False when `pc` is already in the list.
        mutating func insert(_ pc: Int) -> Bool {
            let index = slot[pc]
            if index >= 0, index < items.count, items[index] == pc { return false }
            slot[pc] = items.count
            items.append(pc)
            return true
        }

        mutating func clear() { items.removeAll(keepingCapacity: true) }
    }
}
