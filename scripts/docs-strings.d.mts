export interface DocsStrings {
  lang: string;
  title: string;
  errorsHeading: string;
  errorsIntro: string;
  errorsColumn: string;
  emptyCode: string;
  example: string;
  methodsHeading: string;
  methodColumn: string;
  whatColumn: string;
  otherGroup: string;
  deprecated: string;
  contractFiles: string;
  webhookLabel: string;
  oauthLabel: string;
  clientComment: string;
  appClientComment: string;
  switchLabel: string;
  switchLang: string;
}
export const DOCS_STRINGS: { en: DocsStrings; ru: DocsStrings };
