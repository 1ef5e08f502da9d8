import TreatyModel

// GRDB also has types named `Record` and `RecordError`; inside the store these names mean Treaty's.
typealias Record = TreatyModel.Record
typealias RecordError = TreatyModel.RecordError
