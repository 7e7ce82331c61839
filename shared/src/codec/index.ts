// Ticket codes: signed static ticket codes, order codes, rotating device-bound codes, imported barcodes and the link
// form. Byte layout and format version history: format.ts.
export {
  CodeKind, FORMAT_VERSION, MAX_CODE_LENGTH, MAX_IMPORTED_LENGTH, SUPPORTED_VERSIONS, isOurCode,
} from './format.ts';
export { fromBase64Url, toBase64Url } from './base64url.ts';
export {
  generateEventKey, isStrictPublicKey, isStrictSignatureShape, KNOWN_GOOD, publicKeyOf, toPublicKeyEntry, verifyBytes, warmVerifier,
  type AsyncSignatureVerifier, type EventKey, type KeyStanding, type SignatureVerifier, type SigningKey,
} from './keys.ts';
export {
  zOrderCodeFields, zTicketCodeFields,
  type OrderCodeFields, type OrderCodeInput, type TicketCodeFields, type TicketCodeInput,
} from './payload.ts';
export { signOrderCode, signTicketCode } from './sign.ts';
export {
  CERTIFICATE_ID_LENGTH, DEFAULT_STEP_SECONDS, certificateIdText, signCertificate, zCertificateFields,
  type CertificateFields, type CertificateInput,
} from './certificate.ts';
export {
  assembleRotatingCode, judgeStep, madeBeforePreviousStep, rotatingCodeMessage, shownCodeKey, signRotatingCode, stepAt, stepStart, type StepJudgement, type StepWindow,
} from './rotating.ts';
export {
  decodeCode, decodeCodeAsync,
  type CodeRejection, type DecodeContext, type DecodedOrder, type DecodedRotating, type DecodedTicket, type DecodeResult, type ImportedCode,
} from './decode.ts';
export { extractCode, toLink } from './link.ts';
