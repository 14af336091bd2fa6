import ArgumentParser
import CampaignStore
import Diagnostics
import Foundation
import MMIOTrace
import Pcap
import ReplayEngine
#if canImport(Glibc)
import Glibc
#endif

/// Runs a command body, turning the errors of the libraries into messages on standard error and
/// sysexits exit codes: 65 for bad input data, 66 for input that cannot be read, 70 otherwise.
func reportingErrors(_ body: () throws -> Void) throws {
    do { try body() } catch { throw reported(error) }
}

/// ``reportingErrors(_:)`` for an asynchronous body.
func reportingErrors(_ body: () async throws -> Void) async throws {
    do { try await body() } catch { throw reported(error) }
}

/// Prints a library error's message and returns the exit code for it (errors that
/// ArgumentParser reports itself are returned as they are).
private func reported(_ error: any Error) -> any Error {
    switch error {
    case let error as InputError:
        printError(error.description)
        return ExitCode(65)
    case let error as ResolutionError:
        switch error.failure {
        case .unknownName, .invalidName: printError("mmio-replay: error: \(error)"); return ExitCode(64)
        case .missingFile, .unreadableFile: printError("mmio-replay: error: \(error)"); return ExitCode(66)
        case .invalidFile(let located): printError(located.description); return ExitCode(65)
        }
    case let error as UnknownDeviceModelError:
        printError(error.located)
        return ExitCode(65)
    case let error as UnknownRegionError:
        printError("mmio-replay: error: \(error)")
        return ExitCode(64)
    case let error as PcapRecordError:
        printError(error.description)
        return ExitCode(65)
    case let error as PcapError:
        printError(error.description)
        return ExitCode(FileManager.default.fileExists(atPath: error.path) ? 65 : 66)
    case let error as InputUnavailableError:
        printError(error.description)
        return ExitCode(66)
    case let error as StoreError:
        printError("mmio-replay: error: \(error)")
        return ExitCode(error.isMissing ? 66 : 65)
    case is ExitCode, is ValidationError, is CleanExit:
        return error
    default:
        printError("mmio-replay: internal error: \(error)")
        return ExitCode(70)
    }
}

/// Writes a line to standard error.
func printError(_ message: String) {
    let line = message + "\n"
    _ = line.withCString { write(2, $0, strlen($0)) }
}
