import Hummingbird

/// The per-request context: Hummingbird's core storage plus the body limit.
public struct APIRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    /// Only POST bodies are read, and they are tiny JSON objects.
    public var maxUploadSize: Int { APIConfiguration.defaultMaxBodyBytes }
}
