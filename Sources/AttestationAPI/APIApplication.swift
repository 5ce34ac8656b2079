import Hummingbird
import Logging
import Prometheus

/// The API as a Hummingbird router: middleware (metrics outermost, then JSON
/// errors) around the handlers of `APIRoutes.table`.
public func buildRouter(_ configuration: APIConfiguration, _ dependencies: APIDependencies) -> Router<APIRequestContext>
{
    let router = Router(context: APIRequestContext.self, options: .autoGenerateHeadEndpoints)
    let metrics = HTTPMetrics(factory: PrometheusMetricsFactory(registry: dependencies.metricsRegistry))
    router.add(middleware: HTTPMetricsMiddleware(metrics: metrics))
    router.add(middleware: JSONErrorMiddleware(logger: dependencies.logger))

    let store = dependencies.rateLimitStore ?? RateLimiter(limits: configuration.rateLimits)
    let access = AccessGuard(tokens: dependencies.tokens, limits: configuration.rateLimits, store: store)
    let handlers = APIHandlers(dependencies: dependencies, access: access)
    for route in APIRoutes.table {
        router.on(RouterPath(route.path), method: route.method) { request, context in
            try await handlers.respond(to: route.endpoint, request: request, context: context)
        }
    }
    return router
}

/// The API as an application: a `Service` that `caseattest serve` adds to its
/// ServiceGroup, so SIGTERM stops it accepting connections and lets in-flight
/// requests finish.
public func buildApplication(
    _ configuration: APIConfiguration, _ dependencies: APIDependencies
) -> some ApplicationProtocol {
    Application(
        router: buildRouter(configuration, dependencies),
        configuration: .init(
            address: .hostname(configuration.host, port: configuration.port),
            serverName: configuration.serverName),
        logger: dependencies.logger)
}
