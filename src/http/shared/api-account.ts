/** The service account REST callers act as when they do not say on whose behalf (X-On-Behalf-Of). */
export const API_PERSON_EMAIL = 'api@chatdesk.local';
