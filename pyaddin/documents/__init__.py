"""Documents: 安全承诺书 and 营销活动方案 from Word templates, and the Chinese formatting they need."""
