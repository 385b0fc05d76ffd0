/**
 * Who calls SMAPI in the emulated data set: a dozen LWA users and the tools they use. Fixed (not
 * seeded) so the demo directory matches every data set.
 */

export interface EmulatedRequester {
  userId: string;
  name: string;
  email: string;
  /** Relative share of the calls. */
  weight: number;
  /** Left out of the demo directory on purpose, so reports show an unknown requester. */
  inDirectory: boolean;
  /** A service account only ever calls through the CI tool. */
  ciOnly?: boolean;
}

export const SMAPI_REQUESTERS: readonly EmulatedRequester[] = [
  { userId: 'amzn1.account.AEZ2K7QWLUKASIEWICZ0000001', name: 'Zoë Łukasiewicz', email: 'zoe.lukasiewicz@example.com', weight: 30, inDirectory: true },
  { userId: 'amzn1.account.AFS3ODAGARDSOEREN000000002', name: 'Søren Ågård', email: 'soren.agard@example.dk', weight: 20, inDirectory: true },
  { userId: 'amzn1.account.AGY4YAMADATAROU0000000003', name: '山田太郎', email: 'taro.yamada@example.jp', weight: 15, inDirectory: true },
  { userId: 'amzn1.account.AHA5ALICENGUYEN0000000004', name: 'Alice Nguyen', email: 'alice.nguyen@example.com', weight: 10, inDirectory: true },
  { userId: 'amzn1.account.AIB6BOBOBRIEN00000000005', name: 'Bob O’Brien', email: 'bob.obrien@example.ie', weight: 8, inDirectory: true },
  { userId: 'amzn1.account.AJC7CHLOEDUBOIS000000006', name: 'Chloé Dubois', email: 'chloe.dubois@example.fr', weight: 5, inDirectory: true },
  { userId: 'amzn1.account.AKD8DMITRIIVANOV00000007', name: 'Dmitri Ivanov', email: 'dmitri.ivanov@example.com', weight: 4, inDirectory: true },
  { userId: 'amzn1.account.ALP9PRIYARAMAN0000000008', name: 'Priya Raman', email: 'priya.raman@example.in', weight: 3, inDirectory: true },
  { userId: 'amzn1.account.AMM0MATEUSCONCEICAO00009', name: 'Mateus Conceição', email: 'mateus.conceicao@example.br', weight: 2, inDirectory: true },
  { userId: 'amzn1.account.ANX1UNKNOWNCONTRACTOR0010', name: 'Former contractor', email: 'contractor@example.net', weight: 1.5, inDirectory: false },
  { userId: 'amzn1.account.AOF2FATIMAALSAYED0000011', name: 'Fatima Al-Sayed', email: 'fatima.alsayed@example.ae', weight: 1.5, inDirectory: true },
  { userId: 'amzn1.account.APC3SKILLPIPELINECI00012', name: 'Skill pipeline (CI)', email: 'skill-ci@example.com', weight: 12, inDirectory: true, ciOnly: true },
];

export interface EmulatedClient {
  id: string;
  name: string;
  weight: number;
  /** User agents this tool sends; empty: records carry no userAgent. */
  userAgents: readonly string[];
  ci?: boolean;
}

export const SMAPI_CLIENTS: readonly EmulatedClient[] = [
  {
    id: 'amzn1.application-oa2-client.aad322b5faab44b980c8f87f94fbac56',
    name: 'Alexa Skills Kit Command Line Interface',
    weight: 45,
    userAgents: ['ask-cli/2.30.7 Node/v18.19.0 darwin', 'ask-cli/2.30.7 Node/v20.11.1 linux', 'ask-cli-x/1.2.0 Node/v20.11.1 win32'],
  },
  // https://developer.amazon.com/docs/alexa/smapi/audit-logs-api.html: "For actions performed on developer.amazon.com, the client identifier is Alexa Developer Console."
  { id: 'Alexa Developer Console', name: 'Alexa Developer Console', weight: 30, userAgents: [] },
  {
    id: 'amzn1.application-oa2-client.5e1f0c2d9b8a47e6a3c4d2b1f0e9d8c7',
    name: 'Acme Skill CI',
    weight: 12,
    userAgents: ['acme-skill-ci/4.2.1 (+https://ci.example.com)'],
    ci: true,
  },
  { id: 'amzn1.application-oa2-client.0c9b8a7f6e5d4c3b2a1f0e9d8c7b6a59', name: 'ASK-CLI', weight: 5, userAgents: ['cfn-skill-handler'] },
  {
    id: 'amzn1.application-oa2-client.7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a',
    name: 'Alexa Skills Toolkit for Visual Studio Code',
    weight: 8,
    userAgents: ['ask-toolkit-vscode/2.17.0', ''],
  },
];

/** The demo's requester directory (CSV rows `userId,name,email`); one requester is left out on purpose. */
export function smapiDemoDirectory(): { userId: string; name: string; email: string }[] {
  return SMAPI_REQUESTERS.filter((r) => r.inDirectory).map(({ userId, name, email }) => ({ userId, name, email }));
}
