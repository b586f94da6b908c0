// A real OpenID provider (the certified npm package oidc-provider) for scriptd's single sign-on
// tests. Started by src/test/java/dev/scriptd/it/OidcProvider.java; everything comes from the
// environment:
//   OIDC_PORT           port to listen on, 127.0.0.1 only (the issuer is http://127.0.0.1:<port>)
//   OIDC_CLIENT_ID      the static client, confidential (client_secret_basic) and PKCE-bound
//   OIDC_CLIENT_SECRET
//   OIDC_REDIRECT_URI   its one redirect URI (scriptd's <public-url>/auth/callback)
//   OIDC_ID_TOKEN_CLAIMS optional JSON object: claims to overwrite in every ID token the token
//                       endpoint gives out, re-signed with the provider's own key (e.g. {"aud": "x"}
//                       or {"nonce": "y"}), to test that the relying party refuses such a token
// Sign-in happens on the provider's own page (a small form served below, in place of the package's
// devInteractions, whose pages load web fonts from the internet): any password, and the login is
// one of the accounts below. Consent is granted on sign-in so a test sees one form only. Every page
// it serves is self-contained: nothing is fetched from outside the machine.
import crypto from 'node:crypto';
import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT);
const clientId = process.env.OIDC_CLIENT_ID;
const clientSecret = process.env.OIDC_CLIENT_SECRET;
const redirectUri = process.env.OIDC_REDIRECT_URI;
const forcedClaims = process.env.OIDC_ID_TOKEN_CLAIMS ? JSON.parse(process.env.OIDC_ID_TOKEN_CLAIMS) : null;
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
  nora: { name: 'Nora Nobody', email: 'nora@example.test', groups: ['contractors'] },
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
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        ctx.body = page('Sign out', `${form}<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Sign out</button>`);
      },
      async postLogoutSuccessSource(ctx) {
        ctx.body = page('Signed out', '<p>You are signed out.</p>');
      },
    },
  },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page('Error', `<pre>${escape(JSON.stringify(out))}</pre>`);
  },
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

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title, body) {
  return `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>${escape(title)}</title></head>`
    + `<body><h1>${escape(title)}</h1>${body}</body></html>`;
}

async function formBody(req) {
  let text = '';
  for await (const chunk of req) {
    text += chunk;
    if (text.length > 10_000) {
      break;
    }
  }
  return new URLSearchParams(text);
}

// the sign-in page: GET shows the form, POST signs the login in (any password)
provider.use(async (ctx, next) => {
  const match = ctx.path.match(/^\/interaction\/([A-Za-z0-9_-]+)(\/login)?$/);
  if (!match) {
    return next();
  }
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  if (ctx.method === 'GET' && !match[2]) {
    ctx.type = 'html';
    ctx.body = page('Sign in', `<p>${escape(details.params.client_id)} asks you to sign in.</p>`
      + `<form autocomplete="off" method="post" action="/interaction/${escape(details.uid)}/login">`
      + '<input required type="text" name="login" placeholder="login" autofocus>'
      + '<input required type="password" name="password" placeholder="password">'
      + '<button type="submit">Sign in</button></form>');
    return undefined;
  }
  if (ctx.method === 'POST' && match[2]) {
    const form = await formBody(ctx.req);
    const login = form.get('login');
    if (!accounts[login]) {
      ctx.status = 400;
      ctx.type = 'html';
      ctx.body = page('Sign in', `<p>No account ${escape(login)}.</p>`);
      return undefined;
    }
    const target = await provider.interactionResult(ctx.req, ctx.res, { login: { accountId: login } },
      { mergeWithLastSubmission: false });
    ctx.status = 303;
    ctx.redirect(target);
    return undefined;
  }
  return next();
});

function b64url(data) {
  return Buffer.from(data).toString('base64url');
}

// the same ID token, signed with the same key, with some claims changed
function withClaims(idToken, changes) {
  const [, payload] = idToken.split('.');
  const claims = { ...JSON.parse(Buffer.from(payload, 'base64url').toString()), ...changes };
  if (changes.aud) {
    delete claims.azp;
  }
  const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: signingJwk.kid }));
  const body = b64url(JSON.stringify(claims));
  const signature = crypto.sign('RSA-SHA256', Buffer.from(`${header}.${body}`), privateKey).toString('base64url');
  return `${header}.${body}.${signature}`;
}

if (forcedClaims) {
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path === '/token' && ctx.body && typeof ctx.body === 'object' && ctx.body.id_token) {
      ctx.body = { ...ctx.body, id_token: withClaims(ctx.body.id_token, forcedClaims) };
    }
  });
}

provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening at ${issuer}`);
});
