/// A failure of a `keys` command at run time (files, terminal, passwords);
/// printed as "Error: <message>" without the usage text. Never holds secrets.
struct KeysCommandError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
