/** What the tests know about running in CI (.ci/run sets CI=1). */

/**
 * The skip reason of a test whose requirement (a package, root) may be missing, except in CI
 * (`CI` set, as .ci/run does): there every requirement is installed, so a missing one must fail the
 * test loudly instead of skipping it.
 */
export function skipUnlessCi(reason: string | false): string | false {
  return reason && !process.env.CI ? reason : false;
}
