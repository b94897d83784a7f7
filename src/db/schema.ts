/**
 * Table types for Kysely. Column types are chosen to mean the same on SQLite and PostgreSQL:
 * timestamps are ISO-8601 text, booleans are 0/1 integers, structured values are JSON text.
 */
import type { ColumnType, Generated, Selectable, Updateable } from 'kysely';

type Id = Generated<number>;

interface PeopleTable {
  id: Id;
  email: string;
  display_name: string;
  role: 'employee' | 'agent' | 'manager' | 'admin';
  manager_id: number | null;
  time_zone: string;
  away: ColumnType<number, number | undefined, number>;
  capacity: number | null;
  skills: ColumnType<string, string | undefined, string>;
  created_at: string;
  /** Directory provisioning (migration 010). */
  active: ColumnType<number, number | undefined, number>;
  user_name: ColumnType<string | null, string | null | undefined, string | null>;
  external_id: ColumnType<string | null, string | null | undefined, string | null>;
  provisioned: ColumnType<number, number | undefined, number>;
  directory: ColumnType<string, string | undefined, string>;
  deleted_at: ColumnType<string | null, string | null | undefined, string | null>;
  updated_at: ColumnType<string | null, string | null | undefined, string | null>;
}

/** A person's account on one platform; one person may have a Slack and a Teams identity (linked by email). */
interface IdentitiesTable {
  id: Id;
  person_id: number;
  platform: string;
  platform_user_id: string;
  workspace_id: string | null;
  created_at: string;
  /** Teams: tenant and Entra object id (migration 010), for proactive messages. */
  tenant_id: ColumnType<string | null, string | null | undefined, string | null>;
  aad_object_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** 1 while the platform profile could not be read: the person is provisional (see linkIdentity). */
  profile_pending: ColumnType<number, number | undefined, number>;
}

/** Groups as the company directory (SCIM) knows them; data/directory.json maps them (migration 010). */
interface DirectoryGroupsTable {
  id: Id;
  display_name: string;
  external_id: string | null;
  created_at: string;
  updated_at: string;
}

interface DirectoryGroupMembersTable {
  group_id: number;
  person_id: number;
}

interface GroupsTable {
  id: Id;
  slug: string;
  name: string;
  description: string;
  manager_id: number | null;
  /** JSON: where the group's agents work, e.g. {"slack":{"channelId":"C123"},"teams":{...}}. */
  triage: string;
  escalation_group: string | null;
  calendar: string;
  strategy: string;
}

interface GroupMembersTable {
  group_id: number;
  person_id: number;
  /** 'data' (groups.json), 'directory' (SCIM group mapping) or 'manual' (CSV import); migration 010. */
  source: ColumnType<string, string | undefined, string>;
}

interface TicketsTable {
  id: Id;
  number: string;
  kind: string;
  title: string;
  description: string;
  state: string;
  pending_reason: string | null;
  impact: string;
  urgency: string;
  priority: string;
  category: string | null;
  template_id: string | null;
  fields: string;
  requester_id: number;
  group_id: number | null;
  assignee_id: number | null;
  channel: string;
  source_key: string | null;
  /** Number of events so far: the optimistic-concurrency version of the projection. */
  version: number;
  created_at: string;
  updated_at: string;
  resolved_at: string | null;
  closed_at: string | null;
}

interface TicketEventsTable {
  id: Id;
  ticket_id: number;
  seq: number;
  at: string;
  actor_id: number | null;
  type: string;
  from_value: string | null;
  to_value: string | null;
  reason: string | null;
  data: string;
}

interface CommentsTable {
  id: Id;
  ticket_id: number;
  author_id: number | null;
  body: string;
  internal: number;
  platform: string | null;
  created_at: string;
}

/** Plain text in the database (no constraint), so a new role needs no migration. */
type ConversationRoleColumn = 'requester' | 'agents' | 'cab';

interface ConversationsTable {
  id: Id;
  platform: string;
  channel_id: string;
  /** '' when the conversation is not threaded, so the unique key works on both dialects. */
  thread_id: string;
  is_direct: number;
  workspace_id: string | null;
  service_url: string | null;
  person_id: number | null;
  ticket_id: number | null;
  owner: string;
  /** JSON of the dialog in progress (what the bot is asking for). */
  dialog: string;
  role: ColumnType<ConversationRoleColumn, ConversationRoleColumn | undefined, ConversationRoleColumn>;
  is_public: ColumnType<number, number | undefined, number>;
  created_at: string;
  updated_at: string;
}

interface InboxTable {
  id: Id;
  platform: string;
  dedupe_key: string;
  payload: string;
  status: 'pending' | 'done' | 'failed';
  attempts: number;
  locked_until: string | null;
  last_error: string | null;
  received_at: string;
  processed_at: string | null;
  /** The conversation the event belongs to (`conversationKey`); its turns are leased one at a time. */
  conversation_key: ColumnType<string | null, string | null | undefined, string | null>;
  /** Who holds the lease: replaced on every lease, checked when the item is completed or released. */
  lease_token: ColumnType<string | null, string | null | undefined, string | null>;
  /** The boot (process start) holding the lease; see BootsTable. */
  lease_boot: ColumnType<string | null, string | null | undefined, string | null>;
}

/** The live lease on a conversation's turns (one row per conversation being worked). */
interface InboxLeasesTable {
  conversation_key: string;
  lease_token: string;
  inbox_id: number;
  locked_until: string;
  boot_id: ColumnType<string | null, string | null | undefined, string | null>;
}

/** One row per process start: leases name their boot, so a restart can reclaim a dead predecessor's. */
interface BootsTable {
  boot_id: string;
  node_id: string | null;
  host: string;
  pid: number;
  started_at: string;
}

interface OutboxTable {
  id: Id;
  platform: string;
  /** Messages to one conversation are delivered in order of id. */
  conversation_key: string;
  /** Unique per logical message, so reprocessing an inbox event never enqueues a reply twice. */
  dedupe_key: string;
  payload: string;
  status: 'pending' | 'sent' | 'dead';
  attempts: number;
  next_attempt_at: string;
  locked_until: string | null;
  last_error: string | null;
  message_id: string | null;
  created_at: string;
  sent_at: string | null;
  /** Who holds the delivery lease: replaced on every lease, checked when the outcome is recorded. */
  lease_token: ColumnType<string | null, string | null | undefined, string | null>;
  lease_boot: ColumnType<string | null, string | null | undefined, string | null>;
  /** 1 when an earlier attempt may have reached the platform unrecorded: the next one checks first. */
  unconfirmed: ColumnType<number, number | undefined, number>;
}

interface CountersTable {
  name: string;
  value: number;
}

interface TemplatesTable {
  id: string;
  kind: string;
  title: string;
  definition: string;
  updated_at: string;
}

interface KnowledgeArticlesTable {
  id: string;
  title: string;
  body: string;
  tags: string;
  category: string | null;
  updated_at: string;
}

export interface AssetsTable {
  id: Id;
  tag: string;
  type: string;
  name: string;
  owner_id: number | null;
  status: string;
  location: string | null;
  warranty_end: string | null;
  data: string;
  /** low | medium | high | critical (migration 004). */
  criticality: ColumnType<string, string | undefined, string>;
}

interface TicketAssetsTable {
  ticket_id: number;
  asset_id: number;
}

/** Every knowledge answer the bot gave, and what the requester made of it (for verified deflection). */
interface KbAnswersTable {
  id: Id;
  person_id: number;
  article_id: string;
  query: string;
  intent: string | null;
  confidence: number | null;
  platform: string;
  answered_at: string;
  outcome: 'none' | 'accepted' | 'rejected';
  outcome_at: string | null;
  ticket_id: number | null;
}

/** Issue 7 (ITIL engine): see migrations/004-itil.ts. */
interface SlaNotificationsTable {
  key: string;
  ticket_id: number;
  kind: string;
  clock: string;
  due_at: string | null;
  created_at: string;
}

export interface ApprovalsTable {
  id: Id;
  ticket_id: number;
  approver_id: number;
  purpose: ColumnType<'request' | 'cab', 'request' | 'cab' | undefined, 'request' | 'cab'>;
  policy: ColumnType<string, string | undefined, string>;
  state: ColumnType<
    'pending' | 'approved' | 'rejected' | 'withdrawn',
    'pending' | 'approved' | 'rejected' | 'withdrawn' | undefined,
    'pending' | 'approved' | 'rejected' | 'withdrawn'
  >;
  comment: string | null;
  requested_at: string;
  decided_at: string | null;
  reminders: ColumnType<number, number | undefined, number>;
}

interface TicketLinksTable {
  from_ticket_id: number;
  to_ticket_id: number;
  type: string;
  created_at: string;
  actor_id: number | null;
}

export interface ProblemsTable {
  ticket_id: number;
  root_cause: string | null;
  workaround: string | null;
  known_error: number;
  keywords: string;
  updated_at: string;
}

export interface ChangesTable {
  ticket_id: number;
  change_type: string;
  phase: string;
  risk_score: number;
  risk_level: string;
  risk_reasons: string;
  planned_start: string | null;
  planned_end: string | null;
  cab_policy: string;
  review: string | null;
  updated_at: string;
}

interface AssetRelationsTable {
  from_asset_id: number;
  to_asset_id: number;
  type: string;
}

/** Audit trail of the CSI register: status and owner changes (migration 015). */
interface ImprovementEventsTable {
  id: Id;
  item_id: number;
  at: string;
  actor_id: number | null;
  field: 'status' | 'owner';
  from_value: string | null;
  to_value: string | null;
  note: string | null;
}

/** The CSI register: one item per missed KPI target (see src/itsm/kpis/targets.ts). */
interface ImprovementItemsTable {
  id: Id;
  key: string;
  kpi: string;
  scope_kind: string;
  scope: string;
  title: string;
  status: 'open' | 'in_progress' | 'done' | 'dismissed';
  owner_id: number | null;
  /** JSON: the figures and period that missed the target. */
  evidence: string;
  /** JSON: {"problems": [...], "knowledgeGaps": [...]}. */
  links: string;
  opened_at: string;
  updated_at: string;
  closed_at: string | null;
}

/** Outbound webhooks (migration 011). */
interface WebhookSubscriptionsTable {
  id: Id;
  name: string;
  url: string;
  secret: string;
  events: string;
  active: ColumnType<number, number | undefined, number>;
  source: ColumnType<string, string | undefined, string>;
  from_event_id: ColumnType<number, number | undefined, number>;
  created_at: string;
  updated_at: string;
}

/** Durable deliveries to the outside: webhooks and e-mail (migration 011). */
interface ExternalDeliveriesTable {
  id: Id;
  kind: string;
  subscription_id: number | null;
  event_id: number | null;
  dedupe_key: string;
  event_type: string;
  target: string;
  payload: string;
  status: ColumnType<
    'pending' | 'sent' | 'dead',
    'pending' | 'sent' | 'dead' | undefined,
    'pending' | 'sent' | 'dead'
  >;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: string;
  locked_until: string | null;
  lease_token: string | null;
  response_status: number | null;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
}

/** Alertmanager alert groups and their incidents (migration 012). */
interface AlertGroupsTable {
  key_hash: string;
  group_key: string;
  ticket_id: number | null;
  generation: ColumnType<number, number | undefined, number>;
  status: string;
  firing: ColumnType<string, string | undefined, string>;
  updated_at: string;
}

/** Message-IDs the desk received or sent (migration 013). */
interface EmailMessagesTable {
  message_id: string;
  ticket_id: number | null;
  direction: 'in' | 'out';
  created_at: string;
}

/** Files people sent, kept on the ticket (migration 014). */
interface TicketAttachmentsTable {
  id: Generated<number>;
  ticket_id: number;
  source_key: string;
  name: string;
  mime_type: string | null;
  size: number | null;
  storage: 'file' | 'link';
  path: string | null;
  sha256: string | null;
  url: string;
  platform: string;
  uploaded_by: number | null;
  note: string | null;
  created_at: string;
}

/** Web chat login links and sessions, secrets kept as SHA-256 only (migration 009). */
interface WebLoginsTable {
  token_hash: string;
  kind: 'link' | 'session';
  person_id: number;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface DB {
  web_logins: WebLoginsTable;
  ticket_attachments: TicketAttachmentsTable;
  email_messages: EmailMessagesTable;
  alert_groups: AlertGroupsTable;
  webhook_subscriptions: WebhookSubscriptionsTable;
  external_deliveries: ExternalDeliveriesTable;
  directory_groups: DirectoryGroupsTable;
  directory_group_members: DirectoryGroupMembersTable;
  improvement_items: ImprovementItemsTable;
  improvement_events: ImprovementEventsTable;
  kb_answers: KbAnswersTable;
  people: PeopleTable;
  identities: IdentitiesTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  tickets: TicketsTable;
  ticket_events: TicketEventsTable;
  comments: CommentsTable;
  conversations: ConversationsTable;
  inbox: InboxTable;
  inbox_leases: InboxLeasesTable;
  boots: BootsTable;
  outbox: OutboxTable;
  counters: CountersTable;
  templates: TemplatesTable;
  knowledge_articles: KnowledgeArticlesTable;
  assets: AssetsTable;
  ticket_assets: TicketAssetsTable;
  sla_notifications: SlaNotificationsTable;
  approvals: ApprovalsTable;
  ticket_links: TicketLinksTable;
  problems: ProblemsTable;
  changes: ChangesTable;
  asset_relations: AssetRelationsTable;
}

export type PersonRow = Selectable<PeopleTable>;
export type TicketRow = Selectable<TicketsTable>;
export type TicketUpdate = Updateable<TicketsTable>;
export type TicketEventRow = Selectable<TicketEventsTable>;
export type ConversationRow = Selectable<ConversationsTable>;
export type GroupRow = Selectable<GroupsTable>;
export type OutboxRow = Selectable<OutboxTable>;
