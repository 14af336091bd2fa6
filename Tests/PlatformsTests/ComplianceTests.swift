import Foundation
import Testing
@testable import Platforms

/// The compliance table (docs/platforms.md, "Compliance") is what the profiles say.
@Suite struct ComplianceTests {
    @Test func theDocumentedTableIsGeneratedFromTheProfiles() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/platforms.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        #expect(text.contains(ComplianceRule.markdownTable(PlatformProfile.builtIns)))
    }

    /// e029 needs an external abort for a UR read and FEAT_RAS; changing either breaks it.
    @Test func e029FollowsTheParameters() throws {
        var profile = try #require(PlatformProfile.builtIn(named: "ras-sbsa"))
        #expect(profile.follows(.memorySpaceDisabledRead))
        profile.ras.featRAS = false
        #expect(!profile.follows(.memorySpaceDisabledRead))
        let quiet = try #require(PlatformProfile.builtIn(named: "quiet-pcie"))
        #expect(!quiet.follows(.memorySpaceDisabledRead))
        #expect(quiet.check(.memorySpaceDisabledRead).reason.contains("no external abort"))
    }
}
