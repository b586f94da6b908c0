// A real OpenID provider (the certified npm package oidc-provider) for scriptd's single sign-on
// tests. Started by src/test/java/dev/scriptd/it/OidcProvider.java; everything comes from the
// environment:
//   OIDC_PORT           port to listen on, 127.0.0.1 only (the issuer is http://127.0.0.1:<port>)
//   OIDC_CLIENT_ID      the static client, confidential (client_secret_basic) and PKCE-bound
//   OIDC_CLIENT_SECRET
//   OIDC_REDIRECT_URI   its one redirect URI (scriptd's <public-url>/auth/callback)
//   OIDC_ID_TOKEN_AUD   optional: re-sign every ID token from the token endpoint for this audience
//                       instead of the client (with the provider's own key), to test that the relying
//                       party refuses an ID token meant for someone else
// Sign-in happens on the provider's own pages (devInteractions): any password, and the login is
// one of the accounts below. Consent is granted on sign-in so a test sees one form only.
import crypto from 'node:crypto';
import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT);
const clientId = process.env.OIDC_CLIENT_ID;
const clientSecret = process.env.OIDC_CLIENT_SECRET;
const redirectUri = process.env.OIDC_REDIRECT_URI;
const forcedAudience = process.env.OIDC_ID_TOKEN_AUD || null;
if (!port || !clientId || !clientSecret || !redirectUri) {
  console.error('provider.mjs needs OIDC_PORT, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET and OIDC_REDIRECT_URI');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;

// login -> claims; the groups claim is what scriptd's auth.oidc.roles map
const accounts = {
  alice: { name: 'Alice Admin', email: 'alice@example.test', groups: ['scriptd-admins', 'staff'] },
  oscar: { name: 'Oscar Operator', email: 'oscar@example.test', groups: ['staff', 'scriptd-operators'] },
  vera: { name: 'Vera Viewer', email: 'vera@example.test', groups: ['scriptd-viewers'] },
  nora: { name: 'Nora Nobody', email: 'nora@example.test', groups: ['staff'] },
};

const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingJwk = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key', use: 'sig', alg: 'RS256' };

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  jwks: { keys: [signingJwk] },
  cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
  pkce: { required: () => true },
  scopes: ['openid', 'profile', 'email', 'groups'],
  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username'],
    email: ['email'],
    groups: ['groups'],
  },
  // the claims of the granted scopes go into the ID token too, as Keycloak and Dex do
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: true } },
  async findAccount(_ctx, sub) {
    const account = accounts[sub];
    if (!account) {
      return undefined;
    }
    return {
      accountId: sub,
      async claims() {
        return { sub, preferred_username: sub, ...account };
      },
    };
  },
  // a first-party client: sign-in grants what it asks for, without a consent page
  async loadExistingGrant(ctx) {
    const existing = ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (existing) {
      const grant = await ctx.oidc.provider.Grant.find(existing);
      if (grant) {
        return grant;
      }
    }
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope(ctx.oidc.requestParamScopes ? [...ctx.oidc.requestParamScopes].join(' ') : 'openid');
    grant.addOIDCClaims(['sub', 'name', 'preferred_username', 'email', 'groups']);
    await grant.save();
    return grant;
  },
});

function b64url(data) {
  return Buffer.from(data).toString('base64url');
}

// the same ID token, signed with the same key, but for another audience
function withAudience(idToken, audience) {
  const [, payload] = idToken.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
  claims.aud = audience;
  delete claims.azp;
  const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: signingJwk.kid }));
  const body = b64url(JSON.stringify(claims));
  const signature = crypto.sign('RSA-SHA256', Buffer.from(`${header}.${body}`), privateKey).toString('base64url');
  return `${header}.${body}.${signature}`;
}

if (forcedAudience) {
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path === '/token' && ctx.body && typeof ctx.body === 'object' && ctx.body.id_token) {
      ctx.body = { ...ctx.body, id_token: withAudience(ctx.body.id_token, forcedAudience) };
    }
  });
}

provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening at ${issuer}`);
});
