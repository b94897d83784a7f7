/**
 * The Bot Connector URL of Microsoft's public cloud, for Teams channels configured without one (a
 * triage or CAB channel in groups.json / itil.json). A fact of the Teams platform, so it lives here;
 * the chat core takes it as configuration. Plain constant: importing it does not load botbuilder.
 */
export const DEFAULT_TEAMS_SERVICE_URL = 'https://smba.trafficmanager.net/teams/';
