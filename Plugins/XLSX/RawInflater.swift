import CZlib
import VigilCore

/// Inflates one raw deflate stream (a zip entry's data) with zlib, every size bounded: the
/// input is exactly the entry's compressed bytes, and the output stops at `limit`.
enum RawInflater {
    enum Failure: Error {
        /// The output would pass the limit (a zip bomb).
        case overLimit
        /// The stream is malformed or ends before its end marker.
        case damaged
    }

    static func inflate(_ input: ArraySlice<UInt8>, limit: Int) throws(Failure) -> [UInt8] {
        var stream = z_stream()
        guard vigil_inflate_init_raw(&stream) == Z_OK else { throw .damaged }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        let result: Result<Void, Failure> = input.withUnsafeBufferPointer { source in
            // zlib's next_in is not const; it only reads through it.
            stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
            stream.avail_in = UInt32(source.count)
            while true {
                let status = buffer.withUnsafeMutableBufferPointer { target in
                    stream.next_out = target.baseAddress
                    stream.avail_out = UInt32(target.count)
                    return CZlib.inflate(&stream, Z_NO_FLUSH)
                }
                let produced = buffer.count - Int(stream.avail_out)
                guard output.count + produced <= limit else { return .failure(.overLimit) }
                output += buffer[..<produced]
                switch status {
                case Z_STREAM_END: return .success(())
                case Z_OK: continue
                // No progress possible: the input ended before the stream did.
                case Z_BUF_ERROR: return .failure(.damaged)
                default: return .failure(.damaged)
                }
            }
        }
        try result.get()
        return output
    }
}

/// The CRC-32 zip stores for each entry (zlib's).
enum CRC32 {
    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { buffer in
            UInt32(crc32(0, buffer.baseAddress, UInt32(buffer.count)))
        }
    }
}
