package cms

// TimestampResult is the outcome for one signature timestamp token.
type TimestampResult struct{}

func (sd *SignedData) verifyTimestamps(si *SignerInfo, opts VerifyOptions) []TimestampResult {
	return nil
}
