/// A Solidity event, for decoding logs: indexed parameters come from
/// topics[1...], the others from the data.
public struct ABIEvent: Sendable, Hashable {
    public struct Parameter: Sendable, Hashable {
        public let name: String
        public let type: ABIType
        public let indexed: Bool

        public init(_ name: String, _ type: ABIType, indexed: Bool = false) {
            self.name = name
            self.type = type
            self.indexed = indexed
        }
    }

    public let name: String
    public let parameters: [Parameter]

    public init(name: String, parameters: [Parameter]) throws(ABIError) {
        for parameter in parameters { try parameter.type.validate() }
        guard parameters.filter(\.indexed).count <= 3 else {
            throw ABIError(.invalidType, "an event has at most 3 indexed parameters")
        }
        self.name = name
        self.parameters = parameters
    }

    /// "Name(type,...)" with canonical types, as hashed into topic[0].
    public var signature: String {
        name + "(" + parameters.map(\.type.description).joined(separator: ",") + ")"
    }

    public var topic: [UInt8] { ABI.eventTopic(signature) }

    /// Decodes one log's topics and data into values, in parameter order.
    /// Indexed parameters of dynamic type (string, bytes, arrays, tuples)
    /// are stored on chain only as their keccak256 hash, so they come back as
    /// `.fixedBytes` of 32 bytes.
    public func decodeLog(topics: [[UInt8]], data: [UInt8]) throws(ABIError) -> [ABIValue] {
        let indexed = parameters.filter(\.indexed)
        guard topics.count == indexed.count + 1 else {
            throw ABIError(.topicMismatch, "expected \(indexed.count + 1) topics, got \(topics.count)")
        }
        guard topics[0] == topic else { throw ABIError(.topicMismatch, "topic[0] is not the \(name) event") }
        let dataValues = try ABI.decode(parameters.filter { !$0.indexed }.map(\.type), from: data)
        var result = [ABIValue]()
        var nextTopic = 1
        var nextData = 0
        for parameter in parameters {
            if parameter.indexed {
                let topic = topics[nextTopic]
                nextTopic += 1
                guard topic.count == 32 else { throw ABIError(.malformedData, "a topic is 32 bytes") }
                if parameter.type.isElementary {
                    result.append(try ABI.decode([parameter.type], from: topic)[0])
                } else {
                    result.append(.fixedBytes(topic))
                }
            } else {
                result.append(dataValues[nextData])
                nextData += 1
            }
        }
        return result
    }
}
