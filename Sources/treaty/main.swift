import TreatyCLI

TreatyCommand.runAndExit()
