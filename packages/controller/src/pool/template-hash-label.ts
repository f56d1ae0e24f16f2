/** Label carrying the hash of the template and idle image a pod was made from (see templateHashOf). */
export const TemplateHashLabelKey = 'agentbox.navix.sh/template-hash';
