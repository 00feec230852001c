// libFuzzer target: the wire codec. Bytes arrive in chunks of fuzzer-chosen sizes
// (one byte, all at once, anything between) and go through the line framer and the
// request decoder, as a connection's input does. Nothing may crash, a framed line never
// passes the limit, and chunking never changes what is framed.
//
// Built and run by Tests/Fuzz/run.sh (not part of `swift build`).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWireCodec(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let first = bytes.first else { return 0 }
    let maxLine = 16 + Int(first)
    let input = Array(bytes.dropFirst())

    var whole = LineFramer(maxLine: maxLine)
    whole.append(input)
    var expected: [Frame] = []
    while let frame = whole.next() { expected.append(frame) }

    var chunked = LineFramer(maxLine: maxLine)
    var got: [Frame] = []
    var i = 0
    var step = 1
    while i < input.count {
        let n = min(step, input.count - i)
        chunked.append(input[i..<(i + n)])
        while let frame = chunked.next() { got.append(frame) }
        i += n
        step = step % 7 + 1
    }
    precondition(got == expected, "chunking changed the frames")

    for frame in expected {
        guard case .line(let text) = frame else { continue }
        precondition(text.utf8.count < maxLine, "a framed line passed the limit")
        if case .success(let request)? = RequestDecoder.decode(text) {
            _ = request.verb
        }
    }
    return 0
}
