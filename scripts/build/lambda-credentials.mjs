// What the handler bundles get instead of @aws-sdk/credential-provider-node (build.mjs aliases it).
// In Lambda a function's role credentials are always in its environment (AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), which the default chain reads first anyway; the rest of
// that chain (ini files, SSO, web identity, IMDS, the STS/SSO nested clients: about 100 KiB minified)
// can never answer there, yet is parsed at every cold start. Loopback clients pass explicit
// credentials (shared/aws/clients.ts) and never ask this provider.
import { fromEnv } from '@aws-sdk/credential-provider-env';

export const defaultProvider = (init = {}) => fromEnv(init);
