import Dispatch
import Foundation
import Hummingbird
import Metrics

/// Counts requests and records their latency by route template, method and
/// status (`caseattest_http_requests_total`,
/// `caseattest_http_request_duration_seconds`). Routes are the templates the
/// router matched (unknown paths are all "NotFound"), so the label set stays
/// small whatever clients send.
struct HTTPMetricsMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    let metrics: HTTPMetrics

    func handle(
        _ request: Request, context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let start = DispatchTime.now().uptimeNanoseconds
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            // The error middleware inside turns everything into a response;
            // anything that still escapes is counted as a 500.
            metrics.record(
                route: context.endpointPath ?? "NotFound", method: request.method, status: 500,
                nanoseconds: DispatchTime.now().uptimeNanoseconds - start)
            throw error
        }
        metrics.record(
            route: context.endpointPath ?? "NotFound", method: request.method, status: response.status.code,
            nanoseconds: DispatchTime.now().uptimeNanoseconds - start)
        return response
    }
}

/// The HTTP metrics, made from the factory the caller passes (the executable
/// passes its Prometheus factory; the library never touches the global
/// MetricsSystem), cached per label set.
public final class HTTPMetrics: @unchecked Sendable {
    struct Key: Hashable {
        let route: String
        let method: String
        let status: Int
    }

    struct Instruments {
        let counter: Counter
        let timer: Metrics.Timer
    }

    public static let requestsLabel = "caseattest_http_requests_total"
    public static let durationLabel = "caseattest_http_request_duration_seconds"

    private let factory: any MetricsFactory
    private let lock = NSLock()
    private var cache: [Key: Instruments] = [:]

    public init(factory: any MetricsFactory) {
        self.factory = factory
    }

    func record(route: String, method: HTTPRequest.Method, status: Int, nanoseconds: UInt64) {
        let key = Key(route: route, method: method.rawValue, status: status)
        let instruments = lock.withLock {
            if let cached = cache[key] { return cached }
            let dimensions = [("route", route), ("method", method.rawValue), ("status", String(status))]
            let made = Instruments(
                counter: Counter(label: Self.requestsLabel, dimensions: dimensions, factory: factory),
                timer: Metrics.Timer(label: Self.durationLabel, dimensions: dimensions, factory: factory))
            cache[key] = made
            return made
        }
        instruments.counter.increment()
        instruments.timer.recordNanoseconds(Int64(clamping: nanoseconds))
    }
}
