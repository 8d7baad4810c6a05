/** What a check reports (the report format of bundle.md; the CLI's --json and the browser depend on it). */
export interface BundleFailure {
  message: string;
  recordIds?: string[];
  digests?: string[];
}

/** A failure as the verifier has always built it: the message, then the ids or digests concerned. */
export const failure = (
  message: string,
  extra: { recordIds?: string[]; digests?: string[] } = {},
): BundleFailure => ({ message, ...extra });
