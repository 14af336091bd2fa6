import ArgumentParser
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
    do {
        try body()
    } catch let error as InputError {
        printError(error.description)
        throw ExitCode(65)
    } catch let error as UnknownDeviceModelError {
        printError("mmio-replay: error: \(error)")
        throw ExitCode(65)
    } catch let error as UnknownRegionError {
        printError("mmio-replay: error: \(error)")
        throw ExitCode(64)
    } catch let error as PcapRecordError {
        printError(error.description)
        throw ExitCode(65)
    } catch let error as PcapError {
        printError(error.description)
        throw ExitCode(FileManager.default.fileExists(atPath: error.path) ? 65 : 66)
    } catch let error as InputUnavailableError {
        printError(error.description)
        throw ExitCode(66)
    } catch let error as ExitCode {
        throw error
    } catch let error as ValidationError {
        throw error
    } catch {
        printError("mmio-replay: internal error: \(error)")
        throw ExitCode(70)
    }
}

/// Writes a line to standard error.
func printError(_ message: String) {
    let line = message + "\n"
    _ = line.withCString { write(2, $0, strlen($0)) }
}
