import ArgumentParser
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a keystore password comes from: the first line of a file, or typed
/// on the terminal with echo off. Passwords are bytes and never printed.
enum PasswordInput {
    static func obtain(passwordFile: String?, confirm: Bool) throws -> [UInt8] {
        let password: [UInt8]
        if let passwordFile {
            guard let data = FileManager.default.contents(atPath: passwordFile) else {
                throw KeysCommandError("cannot read password file \(passwordFile)")
            }
            // The first line, as geth reads --password files.
            password = Array(data.prefix { $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "\r") })
        } else {
            password = try prompt("Password: ")
            if confirm {
                guard try prompt("Repeat password: ") == password else {
                    throw KeysCommandError("passwords do not match")
                }
            }
        }
        guard !password.isEmpty else { throw KeysCommandError("the password is empty") }
        return password
    }

    /// Reads one line from the controlling terminal with echo disabled.
    private static func prompt(_ text: String) throws -> [UInt8] {
        let tty = open("/dev/tty", O_RDWR | O_CLOEXEC)
        guard tty >= 0, isatty(tty) == 1 else {
            if tty >= 0 { close(tty) }
            throw KeysCommandError("no terminal to ask for a password: use --password-file")
        }
        defer { close(tty) }
        var original = termios()
        guard tcgetattr(tty, &original) == 0 else { throw KeysCommandError("cannot read terminal settings") }
        var silent = original
        silent.c_lflag &= ~tcflag_t(ECHO)
        guard tcsetattr(tty, TCSAFLUSH, &silent) == 0 else { throw KeysCommandError("cannot turn off echo") }
        defer {
            _ = tcsetattr(tty, TCSAFLUSH, &original)
            _ = write(tty, "\n", 1)
        }
        _ = text.withCString { write(tty, $0, strlen($0)) }
        var line = [UInt8]()
        var byte: UInt8 = 0
        while line.count < 4096 {
            let count = read(tty, &byte, 1)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") { break }
            line.append(byte)
        }
        return line
    }
}
