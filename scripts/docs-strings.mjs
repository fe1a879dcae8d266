// The words scripts/docs.mjs adds to a docs page itself (headings of the error tables and the method
// overview, code-sample labels and comments, the language switch), one table per language. The
// contract's own prose comes translated from openapi/overlays/<lang>.yaml; these are the rest.
// test/docs/overlay.test.ts checks that every language has every entry.

/** @typedef {typeof en} DocsStrings */

const en = {
  lang: 'en',
  title: 'Bitrix24 lead–contact API (crm.lead.contact.*)',
  errorsHeading: 'Errors',
  errorsIntro: 'Every error this method can return; each has its named example under **Responses**.',
  errorsColumn: '`error` code, meaning and what to do',
  emptyCode: '(empty)',
  example: 'Example',
  methodsHeading: 'Methods',
  methodColumn: 'Method',
  whatColumn: 'What it does',
  otherGroup: 'Other',
  deprecated: 'Deprecated',
  contractFiles: 'The whole contract, bundled into one file for other tools',
  webhookLabel: 'cURL (webhook)',
  oauthLabel: 'cURL (OAuth)',
  clientComment: '// Webhook form; for an OAuth app: createBitrix24Client({ portal, accessToken })',
  appClientComment: "// An installed app's OAuth token: this method refuses incoming webhooks",
  switchLabel: 'Русская версия',
  switchLang: 'ru',
};

/** @type {DocsStrings} */
const ru = {
  lang: 'ru',
  title: 'API привязок контактов к лидам Bitrix24 (crm.lead.contact.*)',
  errorsHeading: 'Ошибки',
  errorsIntro: 'Все ошибки, которые может вернуть этот метод; у каждой есть именованный пример в разделе **Responses**.',
  errorsColumn: 'Код `error`, что он значит и что делать',
  emptyCode: '(пусто)',
  example: 'Пример',
  methodsHeading: 'Методы',
  methodColumn: 'Метод',
  whatColumn: 'Что делает',
  otherGroup: 'Прочее',
  deprecated: 'Устарел',
  contractFiles: 'Весь контракт одним файлом для других инструментов',
  webhookLabel: 'cURL (вебхук)',
  oauthLabel: 'cURL (OAuth)',
  clientComment: '// Форма вебхука; для приложения OAuth: createBitrix24Client({ portal, accessToken })',
  appClientComment: '// Токен OAuth установленного приложения: входящие вебхуки этот метод отклоняет',
  switchLabel: 'English version',
  switchLang: 'en',
};

export const DOCS_STRINGS = { en, ru };
