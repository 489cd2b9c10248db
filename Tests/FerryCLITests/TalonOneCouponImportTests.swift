import Foundation
import Testing

@Suite struct TalonOneCouponImportTests {
    let directory: URL

    init() throws {
        directory = try makeTestDirectory("ferry-coupons")
    }

    /// Coupons for two campaigns go in two uploads, each to its own path.
    @Test func anotherCampaignStartsAnotherUpload() throws {
        let mapping = directory.appendingPathComponent("m.yaml")
        try Data("""
        target: talonone.coupons_import
        fields:
          applicationId: { value: 42 }
          campaignId: { column: campaign, type: int }
          value: code

        """.utf8).write(to: mapping)
        let input = directory.appendingPathComponent("c.csv")
        try Data("code,campaign\nA,1\nB,1\nC,2\nD,1\n".utf8).write(to: input)
        let out = directory.appendingPathComponent("out")
        let result = try CLIRunner.run(["convert", "-m", mapping.path, input.path, "-o", out.path])
        #expect(result.status == 0, "\(result.stderr)")
        let index = try String(contentsOf: out.appendingPathComponent("requests.ndjson"), encoding: .utf8)
            .split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(index.map { $0?["path"] as? String } == [
            "/v1/applications/42/campaigns/1/import_coupons",
            "/v1/applications/42/campaigns/2/import_coupons",
            "/v1/applications/42/campaigns/1/import_coupons",
        ])
        #expect(index.map { $0?["records"] as? Int } == [2, 1, 1])
        let first = try String(contentsOf: out.appendingPathComponent("request-000001.multipart"), encoding: .utf8)
        #expect(first.contains("value,expiryDate,startDate,recipientIntegrationId,usageLimit,attributes\nA,,,,,\nB,,,,,\n"))
    }

    @Test func targetsShowsTheUploadAndItsChoices() throws {
        let result = try CLIRunner.run(["targets", "talonone.coupons_import"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("POST (your deployment's URL: --endpoint)/v1/applications/{applicationId}/campaigns/{campaignId}/import_coupons"))
        #expect(result.stdout.contains("multipart/form-data, part \"upFile\" = coupons.csv"))
        #expect(result.stdout.contains("TALONONE_MANAGEMENT_TOKEN"))
    }
}
