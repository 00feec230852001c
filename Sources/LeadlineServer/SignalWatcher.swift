import Dispatch
import Glibc

/// Turns signals (SIGTERM and SIGINT, or SIGHUP for a reload) into a callback on a
/// queue, via Dispatch signal sources (the default actions are ignored first, as
/// swift-service-lifecycle does).
public final class SignalWatcher: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []

    /// Calls `handler` with the signal number each time one of `signals` arrives.
    public init(signals: [Int32] = [SIGTERM, SIGINT], queue: DispatchQueue = DispatchQueue(label: "leadline.signals"),
                handler: @escaping @Sendable (Int32) -> Void) {
        for sig in signals {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            source.setEventHandler { handler(sig) }
            source.activate()
            sources.append(source)
        }
    }
}
