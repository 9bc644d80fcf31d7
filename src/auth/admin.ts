// The admin operations: every change to tokens and users that the CLI, the
// REST API, LinOTP's /admin/* and the web pages make goes through one of
// these, which checks the actor's role and writes the audit event.

export {
  accountView,
  addAccount,
  deleteAccount,
  listAccounts,
  MIN_PASSWORD_LENGTH,
  setAccountDisabled,
  setAccountPassword,
  showAccount,
  type AccountOtp,
  type AddedAccount,
  type NewAccountRequest,
} from './admin/accounts.ts';
export { actorOfApiKey, apiKeyView, createApiKey, listApiKeys, revokeApiKey, type CreatedKey, type NewKeyRequest } from './admin/api-keys.ts';
export { BATCH_ACTIONS, MAX_BATCH, tokenBatch, type BatchAction, type BatchOutcome } from './admin/bulk.ts';
export { auditCursor, auditRecords, lastAuthentication, queryAudit, type AuditPage } from './admin/audit-query.ts';
export { operation, type AdminContext, type AdminSecrets, type Target } from './admin/context.ts';
export { dashboardFigures, type DashboardFigures, type DashboardOptions, type MinuteCounts } from './admin/dashboard.ts';
export { openCodeTransaction, TEST_CODE, testSend, type TestSent } from './admin/code-tokens.ts';
export { createEnrollmentCode, type CreatedEnrollmentCode, type EnrollmentCodeRequest } from './admin/enrollment-codes.ts';
export { enrollFor, enrollToken, type Enrolled, type EnrollRequest } from './admin/enroll.ts';
export { AdminError, type AdminErrorCode, type Worded } from './admin/errors.ts';
export { ADMIN_REFUSALS, refusal, type AdminRefusal } from './admin/refusals.ts';
export { importTokenFile, type ImportOutcome, type ImportRequest } from './admin/import.ts';
export { AdminLogin, LOGIN_FAILED, otpOnly, type LoggedIn, type LoginRequest } from './admin/login.ts';
export { ADMIN_REALM, authorize, authorizeGrant, authorizeRealm, inScope, mayDo, PERMISSIONS, type Action } from './admin/permissions.ts';
export { closeSession, liveSession, openSession, sessionActor, type OpenedSession, type SessionRefusal } from './admin/sessions.ts';
export { TOKEN_STATES, tokenState, tokenView, type TokenState } from './admin/token-view.ts';
export {
  assignToken,
  deleteToken,
  disableToken,
  enableToken,
  listTokens,
  openChallenge,
  resetToken,
  resyncToken,
  resyncWork,
  revokeToken,
  setPin,
  setTokenLimits,
  showToken,
  tokenFor,
  unassignToken,
  type TokenLimits,
  type TokenQuery,
} from './admin/tokens.ts';
export { findUser, listUsers, searchUsers, userAuthentications, type UserSummary } from './admin/users.ts';
export { verifyPendingToken, verifyToken } from './admin/verify.ts';
