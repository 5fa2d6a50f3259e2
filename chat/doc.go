// Package chat posts the weekly report to group-chat robots (incoming
// webhooks): 企业微信 (WeCom), 钉钉 (DingTalk), 飞书 (Feishu) and Slack.
// A Robot is a report channel: it sends the week's summary, then each
// owner's newly stale and due-soon rows with an @-mention, in each
// platform's documented message format and signing, within its rate
// limit, retrying transient failures.
//
// Import rule: chat imports audit (and zap) only.
package chat
