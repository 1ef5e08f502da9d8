import TreatyCLI

await TreatyCommand.run()
