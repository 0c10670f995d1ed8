import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Notification, Notifications } from '../engine/ports.js';

/**
 * Publishes to SNS with one message per kind of endpoint: e-mail gets the plain text, every other
 * endpoint (AWS Chatbot's HTTPS subscription, queues, functions) the JSON that Chatbot renders.
 */
export function createNotifications(sns: SNSClient): Notifications {
  return {
    async publish(topicArn: string, notification: Notification) {
      await sns.send(new PublishCommand({
        TopicArn: topicArn,
        Subject: notification.subject,
        MessageStructure: 'json',
        Message: JSON.stringify({ default: notification.structured, email: `${notification.text}\n` }),
        MessageAttributes: Object.fromEntries(Object.entries(notification.attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }])),
      }));
    },
  };
}
