import CCurl

#if canImport(Glibc)
    import Glibc
#endif

/// The engine-thread side of one transfer: an easy handle and every buffer handed to curl.
///
/// Created, configured, driven and destroyed on the engine thread only. All memory curl
/// points into (error buffer, header list, upload bytes, recipient list) is owned here and
/// freed in `deinit`, after `curl_easy_cleanup`, so it outlives the transfer.
final class EasyTransfer {
    let handle: UnsafeMutableRawPointer
    let maxResponseBytes: Int
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private var recipientList: UnsafeMutablePointer<curl_slist>?
    private let upload: UnsafeMutableBufferPointer<UInt8>?
    private var uploadOffset = 0

    private(set) var body: [UInt8] = []
    private(set) var responseHeaders: [(name: String, value: String)] = []
    /// The last reply lines of a line-based protocol (SMTP), as sent, without line ends.
    private(set) var replyLines: [String] = []
    private(set) var exceededLimit = false

    init(request: CurlRequest) throws(CurlError) {
        guard let handle = curl_easy_init() else { throw .invalidRequest("curl_easy_init failed") }
        self.handle = handle
        self.maxResponseBytes = request.maxResponseBytes
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        if let bytes = request.body {
            let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(bytes.count, 1))
            _ = buffer.initialize(from: bytes)
            upload = UnsafeMutableBufferPointer(rebasing: buffer[0..<bytes.count])
        } else {
            upload = nil
        }
        try configure(request)
    }

    deinit {
        curl_easy_cleanup(handle)
        curl_slist_free_all(headerList)
        curl_slist_free_all(recipientList)
        errorBuffer.deallocate()
        if let upload, let base = upload.baseAddress { base.deallocate() }
    }

    /// curl's error text for the last failure, or its generic text for `code`.
    func errorText(_ code: CURLcode) -> String {
        let specific = String(cString: errorBuffer)
        return specific.isEmpty ? String(cString: curl_easy_strerror(code)) : specific
    }

    func responseCode() -> Int {
        var code: Int = 0
        _ = vigil_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code)
        return code
    }

    func effectiveURL() -> String {
        var pointer: UnsafeMutablePointer<CChar>?
        _ = vigil_easy_getinfo_string(handle, CURLINFO_EFFECTIVE_URL, &pointer)
        return pointer.map { String(cString: $0) } ?? ""
    }

    /// Where a redirect not followed would lead (absolute), or nil.
    func redirectURL() -> String? {
        var pointer: UnsafeMutablePointer<CChar>?
        _ = vigil_easy_getinfo_string(handle, CURLINFO_REDIRECT_URL, &pointer)
        return pointer.map { String(cString: $0) }
    }

    func newConnections() -> Int {
        var count: Int = 0
        _ = vigil_easy_getinfo_long(handle, CURLINFO_NUM_CONNECTS, &count)
        return count
    }

    func totalTime() -> Duration {
        var micros: curl_off_t = 0
        _ = vigil_easy_getinfo_off(handle, CURLINFO_TOTAL_TIME_T, &micros)
        return .microseconds(micros)
    }

    // MARK: - Callbacks (called by curl on the engine thread)

    fileprivate func receive(_ data: UnsafeRawBufferPointer) -> Bool {
        if body.count + data.count > maxResponseBytes {
            exceededLimit = true
            return false
        }
        body.append(contentsOf: data)
        return true
    }

    fileprivate func receiveHeader(_ line: UnsafeRawBufferPointer) {
        if let first = line.first, first >= UInt8(ascii: "2"), first <= UInt8(ascii: "5"), line.count >= 3,
            line.prefix(3).allSatisfy({ $0 >= 0x30 && $0 <= 0x39 })
        {
            // An SMTP reply line ("550 5.1.1 <x@y>: unknown"); HTTP header lines never start with digits.
            var end = line.count
            while end > 0, line[end - 1] == 0x0A || line[end - 1] == 0x0D { end -= 1 }
            replyLines.append(String(decoding: UnsafeRawBufferPointer(rebasing: line[..<end]), as: UTF8.self))
            if replyLines.count > 8 { replyLines.removeFirst() }
            return
        }
        if line.starts(with: "HTTP/".utf8) {
            // A new response (after 100-continue or a redirect): only the final one counts.
            responseHeaders.removeAll()
            return
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return }
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }
        var start = colon + 1
        var end = line.count
        while start < end, isSpace(line[start]) { start += 1 }
        while end > start, isSpace(line[end - 1]) { end -= 1 }
        let name = String(decoding: UnsafeRawBufferPointer(rebasing: line[..<colon]), as: UTF8.self)
        let value = String(decoding: UnsafeRawBufferPointer(rebasing: line[start..<end]), as: UTF8.self)
        responseHeaders.append((name: name, value: value))
    }

    fileprivate func send(into destination: UnsafeMutableRawBufferPointer) -> Int {
        guard let upload else { return 0 }
        let count = min(destination.count, upload.count - uploadOffset)
        guard count > 0 else { return 0 }
        destination.copyMemory(
            from: UnsafeRawBufferPointer(
                UnsafeMutableBufferPointer(rebasing: upload[uploadOffset..<uploadOffset + count])))
        uploadOffset += count
        return count
    }

    // MARK: - Options

    private func set(_ option: CURLoption, _ value: Int) throws(CurlError) {
        try check(vigil_easy_setopt_long(handle, option, value), option)
    }

    private func set(_ option: CURLoption, _ value: String) throws(CurlError) {
        // curl copies string options (CURLOPT_POSTFIELDS is the exception; we never use it).
        guard !value.utf8.contains(0) else { throw .invalidRequest("NUL byte in an option value") }
        try check(vigil_easy_setopt_string(handle, option, value), option)
    }

    private func set(_ option: CURLoption, pointer: UnsafeRawPointer?) throws(CurlError) {
        try check(vigil_easy_setopt_pointer(handle, option, pointer), option)
    }

    private func check(_ code: CURLcode, _ option: CURLoption) throws(CurlError) {
        guard code == CURLE_OK else {
            throw .invalidRequest("option \(option.rawValue): \(String(cString: curl_easy_strerror(code)))")
        }
    }

    private func configure(_ request: CurlRequest) throws(CurlError) {
        try set(CURLOPT_URL, request.url)
        try set(CURLOPT_NOSIGNAL, 1)
        try set(CURLOPT_PROTOCOLS_STR, request.allowedProtocols)
        try set(CURLOPT_REDIR_PROTOCOLS_STR, request.allowedProtocols)
        try set(CURLOPT_FOLLOWLOCATION, request.followRedirects ? 1 : 0)
        try set(CURLOPT_MAXREDIRS, request.maxRedirects)
        try set(CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(request.connectTimeout))
        try set(CURLOPT_TIMEOUT_MS, Self.milliseconds(request.totalTimeout))
        try set(CURLOPT_SSL_VERIFYPEER, request.verifyTLS ? 1 : 0)
        try set(CURLOPT_SSL_VERIFYHOST, request.verifyTLS ? 2 : 0)
        if let caFile = request.caFile { try set(CURLOPT_CAINFO, caFile) }
        if case .required = request.tls { try set(CURLOPT_USE_SSL, Int(CURLUSESSL_ALL.rawValue)) }
        try set(CURLOPT_ACCEPT_ENCODING, "")
        if request.forbidReuse { try set(CURLOPT_FORBID_REUSE, 1) }
        try set(CURLOPT_ERRORBUFFER, pointer: UnsafeRawPointer(errorBuffer))

        switch request.authentication {
        case .basic(let username, let password)?:
            try set(CURLOPT_HTTPAUTH, 1)  // CURLAUTH_BASIC, a macro Swift cannot import
            try set(CURLOPT_USERNAME, username)
            try set(CURLOPT_PASSWORD, password)
        case .bearer(let token)?:
            if request.url.lowercased().hasPrefix("http") {
                try appendHeader("Authorization: Bearer \(token)")
            } else {
                try set(CURLOPT_XOAUTH2_BEARER, token)
            }
        case nil:
            break
        }
        for header in request.headers {
            try appendHeader("\(header.name): \(header.value)")
        }
        if let headerList { try set(CURLOPT_HTTPHEADER, pointer: UnsafeRawPointer(headerList)) }

        if let mailFrom = request.mailFrom {
            try set(CURLOPT_MAIL_FROM, mailFrom)
            for recipient in request.mailRecipients {
                recipientList = try Self.append(recipientList, recipient)
            }
            if let recipientList { try set(CURLOPT_MAIL_RCPT, pointer: UnsafeRawPointer(recipientList)) }
        }

        let userdata = Unmanaged.passUnretained(self).toOpaque()
        try check(vigil_easy_setopt_write_callback(handle, CURLOPT_WRITEFUNCTION, easyWrite), CURLOPT_WRITEFUNCTION)
        try set(CURLOPT_WRITEDATA, pointer: userdata)
        try check(vigil_easy_setopt_write_callback(handle, CURLOPT_HEADERFUNCTION, easyHeader), CURLOPT_HEADERFUNCTION)
        try set(CURLOPT_HEADERDATA, pointer: userdata)

        if let upload {
            try check(vigil_easy_setopt_read_callback(handle, CURLOPT_READFUNCTION, easyRead), CURLOPT_READFUNCTION)
            try set(CURLOPT_READDATA, pointer: userdata)
            try set(CURLOPT_UPLOAD, 1)
            try check(
                vigil_easy_setopt_off(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(upload.count)),
                CURLOPT_INFILESIZE_LARGE)
        }
        if request.mailFrom == nil {
            switch request.method {
            case .get: try set(CURLOPT_HTTPGET, 1)
            case .post:
                // POST with a read callback: UPLOAD would make it a PUT, so use POST + POSTFIELDSIZE.
                try set(CURLOPT_UPLOAD, 0)
                try set(CURLOPT_POST, 1)
                try check(
                    vigil_easy_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(upload?.count ?? 0)),
                    CURLOPT_POSTFIELDSIZE_LARGE)
            case .put: try set(CURLOPT_UPLOAD, 1)
            case .delete: try set(CURLOPT_CUSTOMREQUEST, "DELETE")
            }
            if let custom = request.customRequest {
                guard !custom.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else {
                    throw .invalidRequest("line break in a custom request")
                }
                try set(CURLOPT_CUSTOMREQUEST, custom)
            }
        }
    }

    private func appendHeader(_ line: String) throws(CurlError) {
        // Compare bytes: "\r\n" is a single Character in Swift and would slip past a Character test.
        guard !line.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else {
            throw .invalidRequest("line break in a header")
        }
        headerList = try Self.append(headerList, line)
    }

    private static func append(
        _ list: UnsafeMutablePointer<curl_slist>?, _ value: String
    ) throws(CurlError) -> UnsafeMutablePointer<curl_slist> {
        guard let updated = curl_slist_append(list, value) else { throw .invalidRequest("out of memory") }
        return updated
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}

private func transfer(_ userdata: UnsafeMutableRawPointer?) -> EasyTransfer? {
    guard let userdata else { return nil }
    return Unmanaged<EasyTransfer>.fromOpaque(userdata).takeUnretainedValue()
}

private let easyWrite: curl_write_callback = { pointer, size, count, userdata in
    let length = size * count
    guard let transfer = transfer(userdata) else { return 0 }
    guard let pointer else { return length }
    return transfer.receive(UnsafeRawBufferPointer(start: pointer, count: length)) ? length : 0
}

private let easyHeader: curl_write_callback = { pointer, size, count, userdata in
    let length = size * count
    if let pointer, let transfer = transfer(userdata) {
        transfer.receiveHeader(UnsafeRawBufferPointer(start: pointer, count: length))
    }
    return length
}

private let easyRead: curl_read_callback = { pointer, size, count, userdata in
    guard let pointer, let transfer = transfer(userdata) else { return 0 }
    return transfer.send(into: UnsafeMutableRawBufferPointer(start: pointer, count: size * count))
}
